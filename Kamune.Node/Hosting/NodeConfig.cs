using Akka.Configuration;
using Kamune.Actors.Configuration;
using Kamune.Node.Cli;

namespace Kamune.Node.Hosting;

/// <summary>How remote identities are trusted (kamune-node.trust, --trust).</summary>
public enum TrustMode
{
    Tofu,
    AllowList,
    Any,
}

/// <summary>
/// The node's configuration: a --config file over the embedded hocon/kamune-node.conf over the runtime's
/// reference.conf. Read once; every value typed and checked here, so a bad file fails before anything starts.
/// <see cref="ListenHost"/> and <see cref="ListenPort"/> (kamune.listen.host, .port) are the node's own keys: the
/// library's API takes explicit addresses.
/// </summary>
public sealed record NodeConfig(
    Config Root, KamuneSettings Kamune, TrustMode Trust, IReadOnlyList<string> AllowList, TimeSpan ShutdownTimeout, int BenchWindow,
    string ListenHost, int ListenPort)
{
    private static readonly Lazy<Config> Embedded = new(() =>
        ConfigurationFactory.FromResource("Kamune.Node.kamune-node.conf", typeof(NodeConfig).Assembly));

    // Keys older node files may still set: kamune.listen.backlog is the library's kamune.listen-backlog under its old
    // name (read as that when set); kamune.app-version left the library's config (KamuneSettings names it unless it
    // states the protocol's own version). Known to the checks, never defaults.
    private static readonly Config Legacy = ConfigurationFactory.ParseString("kamune { listen.backlog = 4096, app-version = \"0.7.0\" }");

    /// <summary>The embedded node defaults alone (demo, bench and tests start from these).</summary>
    public static NodeConfig Defaults() => Load(null);

    /// <summary>Reads <paramref name="file"/> (HOCON) over the defaults; a missing or malformed file is a usage error.</summary>
    public static NodeConfig Load(string? file, Config? overrides = null)
    {
        var root = Embedded.Value.WithFallback(KamuneConfig.Default);
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new NodeException($"--config: expected a HOCON file, got no file at {Path.GetFullPath(file)}", ExitCodes.Usage);
            }

            Config fromFile;
            try
            {
                fromFile = ConfigFile.Load(file);
            }
            catch (Exception e) when (e is ConfigurationException or FormatException or IOException or NullReferenceException)
            {
                // ConfigFile checked what the parser misreads; anything it still throws is named with the file.
                throw new NodeException($"--config {file}: {FirstLine(e.Message)}", ExitCodes.Usage, e);
            }

            RefuseUnknownKeys(file, fromFile, root.WithFallback(Legacy));
            root = OldBacklog(file, fromFile).WithFallback(fromFile).WithFallback(root);
        }

        if (overrides is not null)
        {
            root = overrides.WithFallback(root);
        }

        try
        {
            ConfigValues.CheckKinds(root, "kamune-node", Embedded.Value);
            var node = root.GetConfig("kamune-node");
            var trust = ParseTrust(node.GetString("trust"), "kamune-node.trust");
            var window = node.GetInt("bench-window");
            var kamune = KamuneSettings.Create(root);
            ConfigValues.CheckKinds(root, "kamune.listen", Embedded.Value);
            var listenPort = root.GetInt("kamune.listen.port");
            if (listenPort is < 0 or > ushort.MaxValue)
            {
                throw new ConfigurationException($"kamune.listen.port: expected 0..65535, got {listenPort}");
            }

            if (window < 1 || window > kamune.SendWindow)
            {
                throw new NodeException(
                    $"kamune-node.bench-window: expected 1..{kamune.SendWindow} (kamune.send-window), got {window}", ExitCodes.Usage);
            }

            var shutdown = node.GetTimeSpan("shutdown-timeout");
            if (shutdown <= TimeSpan.Zero)
            {
                throw new NodeException($"kamune-node.shutdown-timeout: expected a positive duration, got {shutdown}", ExitCodes.Usage);
            }

            return new NodeConfig(
                root, kamune, trust, node.GetStringList("allow-list").ToArray(), shutdown, window, root.GetString("kamune.listen.host"), listenPort);
        }
        catch (ConfigurationException e)
        {
            var message = FirstLine(e.Message);
            var where = file is null ? "configuration" : $"--config {Where(file, KeyOf(message))}";
            throw new NodeException($"{where}: {message}", ExitCodes.Usage, e);
        }
    }

    // A key the embedded defaults do not define under kamune or kamune-node is most likely a typo that would
    // otherwise be ignored: named, with the known key it most likely meant. Other sections (akka) are not checked.
    private static void RefuseUnknownKeys(string file, Config fromFile, Config known)
    {
        foreach (var section in new[] { "kamune", "kamune-node" })
        {
            if (ConfigValues.UnknownKeys(fromFile, section, known).FirstOrDefault() is ({ } key, var closest))
            {
                throw new NodeException($"--config {Where(file, key)}: unknown key {key}; did you mean {closest}?", ExitCodes.Usage);
            }
        }
    }

    // kamune.listen.backlog, set in the file, as the library's kamune.listen-backlog (an empty config when not set).
    private static Config OldBacklog(string file, Config fromFile)
    {
        const string old = "kamune.listen.backlog";
        if (!fromFile.HasPath(old))
        {
            return Config.Empty;
        }

        if (fromFile.HasPath("kamune.listen-backlog"))
        {
            throw new NodeException(
                $"--config {Where(file, old)}: expected one of kamune.listen-backlog and its older name {old}, got both", ExitCodes.Usage);
        }

        try
        {
            ConfigValues.CheckKinds(fromFile, "kamune.listen", Legacy);
        }
        catch (ConfigurationException e)
        {
            throw new NodeException($"--config {Where(file, old)}: {FirstLine(e.Message)}", ExitCodes.Usage, e);
        }

        return ConfigurationFactory.ParseString($"kamune.listen-backlog = {fromFile.GetLong(old).ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    /// <summary>"tofu", "allow-list" or "any", as on the command line and in the config.</summary>
    public static TrustMode ParseTrust(string? text, string what) => text?.Trim().ToLowerInvariant() switch
    {
        "tofu" => TrustMode.Tofu,
        "allow-list" or "allowlist" => TrustMode.AllowList,
        "any" => TrustMode.Any,
        _ => throw new NodeException($"{what}: expected tofu, allow-list or any, got \"{text}\"", ExitCodes.Usage),
    };

    // FILE:LINE when the key is written in the file itself (not only in an include or the defaults), else FILE.
    private static string Where(string file, string? key) =>
        key is not null && ConfigFile.LineOf(file, key) is { } line ? $"{file}:{line}" : file;

    // The key a settings error starts with ("kamune.send-window: expected an integer, ..."), if it does.
    private static string? KeyOf(string message)
    {
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        var key = colon > 0 ? message[..colon] : null;
        return key is not null && key.Contains('.', StringComparison.Ordinal) && !key.Contains(' ', StringComparison.Ordinal) ? key : null;
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}

using Kamune.Node.Cli;

namespace Kamune.Node.Home;

/// <summary>
/// The node's home directory: its identity and its known peers. Chosen by --home, else the KAMUNE_HOME
/// environment variable, else ~/.config/kamune-net.
/// </summary>
public sealed class NodeHome
{
    public const string EnvironmentVariable = "KAMUNE_HOME";
    public const string IdentityFileName = "identity.pem";
    public const string KnownPeersFileName = "known_peers";

    public NodeHome(string directory)
    {
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public string IdentityPath => Path.Combine(Directory, IdentityFileName);

    public string KnownPeersPath => Path.Combine(Directory, KnownPeersFileName);

    /// <summary>--home wins, then KAMUNE_HOME, then ~/.config/kamune-net.</summary>
    public static NodeHome Resolve(string? homeOption, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (!string.IsNullOrWhiteSpace(homeOption))
        {
            return new NodeHome(ExpandTilde(homeOption));
        }

        var fromEnvironment = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new NodeHome(ExpandTilde(fromEnvironment));
        }

        var profile = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(profile))
        {
            throw new NodeException($"no home directory to keep the identity in: pass --home DIR or set {EnvironmentVariable}", ExitCodes.Usage);
        }

        return new NodeHome(Path.Combine(profile, ".config", "kamune-net"));
    }

    /// <summary>Creates the directory if needed, readable by its owner only on Unix; an existing one is checked.</summary>
    public void EnsureExists()
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(Directory);
            }
            else
            {
                System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeException($"cannot create home directory {Directory}: {e.Message}", inner: e);
        }

        // An existing directory keeps its mode: one another user could write to is refused, not used.
        PrivatePath.Check(Directory, "home directory");
    }

    /// <summary>
    /// The home, its identity and its known peers, where they exist, belong to this user and are writable by no
    /// one else (<see cref="PrivatePath"/>); otherwise a one-line error names the path and the fix.
    /// </summary>
    public void CheckPrivate()
    {
        PrivatePath.Check(Directory, "home directory");
        PrivatePath.Check(IdentityPath, "identity");
        PrivatePath.Check(KnownPeersPath, "known peers");
    }

    public override string ToString() => Directory;

    private static string ExpandTilde(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : string.Empty)
            : path;
}

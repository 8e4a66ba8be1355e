using Kamune.Node.Cli;

namespace Kamune.Node.Home;

/// <summary>
/// The node identity on disk: an Ed25519 key as PKCS#8 PEM (the format the Go reference writes), mode 0600.
/// Creating never replaces an existing key unless asked to, because a lost key is a lost identity.
/// </summary>
public sealed class IdentityStore
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly NodeHome _home;

    public IdentityStore(NodeHome home)
    {
        _home = home;
    }

    public string Path => _home.IdentityPath;

    public bool Exists => File.Exists(Path);

    /// <summary>Generates and stores a new identity; an existing file is replaced only with <paramref name="force"/>.</summary>
    public IdentityKeyPair Create(IRandomSource random, bool force)
    {
        ThrowIfDirectory();
        if (Exists && !force)
        {
            throw new NodeException($"an identity already exists at {Path}; keep it, or pass --force to replace it (its peers will no longer recognise this node)");
        }

        _home.EnsureExists();
        var identity = IdentityKeyPair.Generate(random);
        var temporary = Path + ".tmp-" + Environment.ProcessId;
        try
        {
            // Written to a private temporary file first, so a crash never leaves a half-written or world-readable key.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(identity.ExportPkcs8Pem());
            }

            File.Move(temporary, Path, overwrite: force);
            return identity;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            identity.Dispose();
            TryDelete(temporary);
            throw new NodeException($"cannot write identity {Path}: {e.Message}", inner: e);
        }
    }

    /// <summary>Reads the stored identity; a missing, unreadable, too-open or corrupt file is a clear error.</summary>
    public IdentityKeyPair Load()
    {
        ThrowIfDirectory();
        _home.CheckPrivate();
        if (!Exists)
        {
            throw new NodeException($"no identity at {Path}; create one with: kamune-node identity new --home {_home.Directory}");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(Path);
            if ((mode & GroupOrOther) != 0)
            {
                // Same stance as ssh with a private key others can read: refuse rather than use a leaked key.
                throw new NodeException($"identity {Path} is accessible by others (mode {ModeText(mode)}); expected 0600: run chmod 600 {Path}");
            }
        }

        string pem;
        try
        {
            pem = File.ReadAllText(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeException($"cannot read identity {Path}: {e.Message}", inner: e);
        }

        try
        {
            return IdentityKeyPair.ImportPkcs8Pem(pem);
        }
        catch (KamuneProtocolException e)
        {
            throw new NodeException($"identity {Path} is not a usable Ed25519 key: {e.Message}", inner: e);
        }
    }

    // File.Exists is false for a directory: without this it would read as "no identity", or fail the move in Create.
    private void ThrowIfDirectory()
    {
        if (System.IO.Directory.Exists(Path))
        {
            throw new NodeException($"identity {Path} is a directory, expected a PEM file; move it away, then create an identity with: kamune-node identity new --home {_home.Directory}");
        }
    }

    internal static string ModeText(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the temporary name carries the process id, so a leftover never blocks a later run.
        }
    }
}

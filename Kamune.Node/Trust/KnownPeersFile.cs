using System.Text;
using Kamune.Node.Cli;
using Kamune.Node.Home;

namespace Kamune.Node.Trust;

/// <summary>What one line of known_peers pins to a key: nothing but the key itself, a name, or a dialed address.</summary>
internal enum PinKind
{
    Key,
    Name,
    Address,
}

/// <summary>One pin: a fingerprint (base64url SHA-256 of the PKIX key) and, for names and addresses, the label.</summary>
internal sealed record Pin(string Fingerprint, PinKind Kind, string Label = "")
{
    public string Describe() => Kind switch
    {
        PinKind.Name => $"name \"{Label}\"",
        PinKind.Address => $"address {Label}",
        _ => "key",
    };
}

/// <summary>
/// The known_peers file: its line format, and its reading and appending under a lock shared by every process that
/// uses the same home (docs/security.md, "Local trust state"). One pin a line, keyed by fingerprint as the Go
/// reference keys its peer store by public key, the name being a label:
/// <c>FINGERPRINT name:NAME</c>, <c>FINGERPRINT address:HOST:PORT</c> or <c>FINGERPRINT key</c>, NAME percent-encoded.
/// Lines of the first format (<c>name:NAME FINGERPRINT</c>, <c>address:HOST:PORT FINGERPRINT</c>) are read as they
/// are and never rewritten; new pins are appended in the current format.
/// </summary>
internal static class KnownPeersFile
{
    public const string Header =
        "# kamune-node known peers, one pin a line: FINGERPRINT name:NAME | FINGERPRINT address:HOST:PORT | FINGERPRINT key\n"
        + "# FINGERPRINT is the base64url SHA-256 of the peer's PKIX key (`kamune-node identity show`, name); NAME is percent-encoded.\n";

    private const string NamePrefix = "name:";
    private const string AddressPrefix = "address:";
    private const string KeyWord = "key";
    private const int FingerprintLength = 43;

    /// <summary>How long a writer waits for another process holding the lock before giving up on this append.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);

    public static string Format(Pin pin) => pin.Kind switch
    {
        PinKind.Name => $"{pin.Fingerprint} {NamePrefix}{Uri.EscapeDataString(pin.Label)}",
        PinKind.Address => $"{pin.Fingerprint} {AddressPrefix}{pin.Label}",
        _ => $"{pin.Fingerprint} {KeyWord}",
    };

    /// <summary>The pins of <paramref name="lines"/> with their line numbers; a malformed line names file and line.</summary>
    public static List<(Pin Pin, int Line)> Parse(string path, IReadOnlyList<string> lines)
    {
        var pins = new List<(Pin, int)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            pins.Add((ParseLine(line) ?? throw new NodeException(
                $"known peers {path} line {i + 1}: expected \"FINGERPRINT name:NAME\", \"FINGERPRINT address:HOST:PORT\" or \"FINGERPRINT key\" with a {FingerprintLength}-character fingerprint, got \"{Shorten(line)}\""), i + 1));
        }

        return pins;
    }

    private static Pin? ParseLine(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            return null;
        }

        // The first format put the label first; a fingerprint never contains ':'.
        var (fingerprint, label) = parts[0].Contains(':', StringComparison.Ordinal) ? (parts[1], parts[0]) : (parts[0], parts[1]);
        if (fingerprint.Length != FingerprintLength || fingerprint.Contains(':', StringComparison.Ordinal))
        {
            return null;
        }

        if (label.StartsWith(NamePrefix, StringComparison.Ordinal) && label.Length > NamePrefix.Length)
        {
            return new Pin(fingerprint, PinKind.Name, Uri.UnescapeDataString(label[NamePrefix.Length..]));
        }

        if (label.StartsWith(AddressPrefix, StringComparison.Ordinal) && label.Length > AddressPrefix.Length)
        {
            return new Pin(fingerprint, PinKind.Address, label[AddressPrefix.Length..]);
        }

        return label == KeyWord ? new Pin(fingerprint, PinKind.Key) : null;
    }

    /// <summary>The file's lines (none if it does not exist) and its length, after its owner and mode checked out.</summary>
    public static (string[] Lines, long Length) Read(string path)
    {
        PrivatePath.Check(path, "known peers");
        if (!File.Exists(path))
        {
            return ([], 0);
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return (text.Split('\n'), bytes.LongLength);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new NodeException($"cannot read known peers {path}: {e.Message}", inner: e);
        }
    }

    /// <summary>Appends whole lines in one write (created 0600, with the header, if new); the new length.</summary>
    public static long Append(string path, IEnumerable<Pin> pins)
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        var text = new StringBuilder(stream.Length == 0 ? Header : string.Empty);
        foreach (var pin in pins)
        {
            text.Append(Format(pin)).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
        return stream.Length;
    }

    /// <summary>
    /// Holds <c>known_peers.lock</c> exclusively (flock on Unix, a share-none handle on Windows), so that a process
    /// re-reading the file and appending to it never interleaves with another doing the same.
    /// </summary>
    public static IDisposable Lock(string path, TimeSpan timeout)
    {
        var lockPath = path + ".lock";
        var directory = System.IO.Path.GetDirectoryName(lockPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, options);
            }
            catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(lockPath))
            {
                // Another process (or another KnownPeers on this file) holds it for one read-and-append: a short wait.
                Thread.Sleep(10);
            }
        }
    }

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..57] + "...";
}

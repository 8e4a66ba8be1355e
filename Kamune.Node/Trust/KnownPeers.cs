using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Kamune.Actors;
using Kamune.Node.Cli;

namespace Kamune.Node.Trust;

/// <summary>
/// Trust on first use, like SSH's known_hosts. The first key seen under a peer's name, or at an address this
/// node dialed, is remembered in the known-peers file; later a different key under that name or at that address
/// is refused. A peer announcing the default name (its own fingerprint) can only be checked by address: its
/// name already is its key.
/// File format, one entry a line: <c>name:NAME FINGERPRINT</c> or <c>address:HOST:PORT FINGERPRINT</c>, NAME
/// percent-encoded, FINGERPRINT the base64url SHA-256 of the PKIX key; blank lines and <c>#</c> comments ignored.
/// </summary>
public sealed class KnownPeers : IIdentityVerifier
{
    private const string NamePrefix = "name:";
    private const string AddressPrefix = "address:";

    private readonly string _path;
    private readonly object _gate = new();
    private readonly Dictionary<string, string> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _dialed = new(StringComparer.Ordinal);

    private KnownPeers(string path)
    {
        _path = path;
    }

    public string Path => _path;

    /// <summary>Reads the file if there is one; a malformed line is an error naming the file and line.</summary>
    public static KnownPeers Open(string path)
    {
        var known = new KnownPeers(path);
        if (!File.Exists(path))
        {
            return known;
        }

        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeException($"cannot read known peers {path}: {e.Message}", inner: e);
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !(parts[0].StartsWith(NamePrefix, StringComparison.Ordinal) || parts[0].StartsWith(AddressPrefix, StringComparison.Ordinal))
                || parts[1].Length != 43)
            {
                throw new NodeException(
                    $"known peers {path} line {i + 1}: expected \"name:NAME FINGERPRINT\" or \"address:HOST:PORT FINGERPRINT\" with a 43-character fingerprint, got \"{Shorten(line)}\"");
            }

            // A later line wins, as when a user appends a corrected key instead of deleting the old one.
            known._entries[parts[0]] = parts[1];
        }

        return known;
    }

    /// <summary>
    /// This node is dialing <paramref name="address"/> (as the user wrote it), which resolved to
    /// <paramref name="resolved"/>: the session that comes back from there is checked against the address too.
    /// </summary>
    public void ExpectDialed(EndPoint resolved, PeerAddress address) => _dialed[PeerAddress.Format(resolved)] = address.ToString();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The remembered fingerprint for a name or a dialed address, if any.</summary>
    public string? FingerprintOf(string? name, PeerAddress? address)
    {
        lock (_gate)
        {
            if (name is not null && _entries.TryGetValue(NameKey(name), out var byName))
            {
                return byName;
            }

            return address is not null && _entries.TryGetValue(AddressPrefix + address, out var byAddress) ? byAddress : null;
        }
    }

    public Task<IdentityVerdict> VerifyAsync(RemotePeer peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var fingerprint = peer.Identity.Fingerprint.Base64;
        var keys = new List<(string Key, string Label)>(2);
        if (!string.Equals(peer.Name, peer.Identity.DefaultName, StringComparison.Ordinal))
        {
            keys.Add((NameKey(peer.Name), $"name \"{peer.Name}\""));
        }

        if (peer.Address is not null && _dialed.TryGetValue(PeerAddress.Format(peer.Address), out var dialed))
        {
            keys.Add((AddressPrefix + dialed, $"address {dialed}"));
        }

        lock (_gate)
        {
            foreach (var (key, label) in keys)
            {
                if (_entries.TryGetValue(key, out var known) && !string.Equals(known, fingerprint, StringComparison.Ordinal))
                {
                    return Task.FromResult(IdentityVerdict.Reject(
                        $"{label} is known with key {known} but presented {fingerprint}; if the peer really changed its key, remove the \"{key}\" line from {_path}"));
                }
            }

            var added = new StringBuilder();
            foreach (var (key, _) in keys)
            {
                if (_entries.TryAdd(key, fingerprint))
                {
                    added.Append(key).Append(' ').Append(fingerprint).Append('\n');
                }
            }

            if (added.Length > 0)
            {
                Append(added.ToString());
            }
        }

        return Task.FromResult(IdentityVerdict.Accept);
    }

    private void Append(string lines)
    {
        try
        {
            var directory = System.IO.Path.GetDirectoryName(_path);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var isNew = !File.Exists(_path);
            using var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            if (isNew)
            {
                writer.Write("# kamune-node known peers: NAME-or-ADDRESS FINGERPRINT (base64url SHA-256 of the PKIX key)\n");
            }

            writer.Write(lines);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The peer is still checked against what is in memory; only persistence across runs is lost.
            Serilog.Log.Warning("Cannot update known peers {Path}: {Reason}", _path, e.Message);
        }
    }

    private static string NameKey(string name) => NamePrefix + Uri.EscapeDataString(name);

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..57] + "...";
}

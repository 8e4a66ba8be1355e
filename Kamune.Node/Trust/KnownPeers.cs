using System.Net;
using Kamune.Node.Cli;

namespace Kamune.Node.Trust;

/// <summary>
/// Trust on first use, like SSH's known_hosts, keyed by key as the Go reference's peer store is: the first key seen
/// under a peer's name, or at an address this node dialed, is pinned in the known-peers file (format:
/// <see cref="KnownPeersFile"/>); later a different key under that name or at that address is refused. A peer
/// announcing the default name (its own fingerprint) can only be checked by address: its name already is its key.
/// Pins are checked at the Introduce (<see cref="VerifyAsync"/>) but written only once the session is established
/// (<see cref="Established"/>), so a connection that hangs up after its Introduce pins nothing; keys never seen
/// before are capped per remote address for connections this node accepted (<see cref="PinBudget"/>). Every write re-reads the file under a lock
/// shared with other processes using the same home, and a pin that contradicts the file is refused, not written.
/// </summary>
public sealed class KnownPeers : IIdentityVerifier
{
    private readonly string _path;
    private readonly PinBudget _budget;
    private readonly object _gate = new();
    private readonly HashSet<string> _pinnedHere = new(StringComparer.Ordinal);
    private readonly List<Pin> _unsaved = new();
    private PinIndex _index;
    private long _length;

    private KnownPeers(string path, PinBudget budget, PinIndex index, long length)
    {
        _path = path;
        _budget = budget;
        _index = index;
        _length = length;
    }

    public string Path => _path;

    /// <summary>
    /// Reads the file if there is one. A malformed line, conflicting lines, or a file (or its directory) that another
    /// user owns or others may write is an error naming the file and the fix.
    /// </summary>
    public static KnownPeers Open(string path, PinBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null)
        {
            Home.PrivatePath.Check(directory, "home directory");
        }

        var (lines, length) = KnownPeersFile.Read(path);
        return new KnownPeers(path, budget ?? PinBudget.Default(), PinIndex.Build(path, KnownPeersFile.Parse(path, lines)), length);
    }

    /// <summary>
    /// The verifier for the one session of a dial to <paramref name="address"/> (as the user wrote it): checked
    /// against the address too. Bound to that session (Dial.Verifier), so the pin cannot miss the session because its
    /// endpoint reads differently (an IPv6 scope id, a mapped address), and nothing is left behind to prune.
    /// </summary>
    public IIdentityVerifier ForDial(PeerAddress address) => new DialedVerifier(this, address.ToString());

    /// <summary>Pins held: a key with a name and an address counts twice.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _index.Count;
            }
        }
    }

    /// <summary>The remembered fingerprint for a name or a dialed address, if any.</summary>
    public string? FingerprintOf(string? name, PeerAddress? address)
    {
        lock (_gate)
        {
            return (name is null ? null : _index.FingerprintOfName(name))
                ?? (address is null ? null : _index.FingerprintOfAddress(address.ToString()));
        }
    }

    /// <summary>Whether <paramref name="fingerprint"/> was known before this process pinned it (false for a new key).</summary>
    public bool KnewBefore(string fingerprint)
    {
        lock (_gate)
        {
            return _index.Knows(fingerprint) && !_pinnedHere.Contains(fingerprint);
        }
    }

    /// <summary>The name <paramref name="fingerprint"/> was pinned with, if any: a key keeps its first name.</summary>
    public string? PinnedName(string fingerprint)
    {
        lock (_gate)
        {
            return _index.NameOfKey(fingerprint);
        }
    }

    /// <summary>Checks the pins at the Introduce; records nothing (see <see cref="Established"/>).</summary>
    public Task<IdentityVerdict> VerifyAsync(RemotePeer peer, CancellationToken cancellationToken) => Verify(peer, dialed: null);

    private Task<IdentityVerdict> Verify(RemotePeer peer, string? dialed)
    {
        ArgumentNullException.ThrowIfNull(peer);
        lock (_gate)
        {
            RefreshIfChanged();
            if (Contradiction(peer, dialed) is { } reason)
            {
                return Task.FromResult(IdentityVerdict.Reject(reason));
            }

            // A key never seen before will take a pin once established: that is what the budget caps, for connections
            // that came in. One this node dialed is the user's own choice of peer.
            var from = AddressOf(peer.Address);
            if (!_index.Knows(peer.Fingerprint.Base64) && dialed is null && !_budget.TryTake(from))
            {
                return Task.FromResult(IdentityVerdict.Reject(
                    $"too many new keys from {from}: {_budget.KeysPerWindow} in {_budget.Window} already; try again later (known keys are not limited)"));
            }
        }

        return Task.FromResult(IdentityVerdict.Accept);
    }

    /// <summary>
    /// The session with <paramref name="peer"/> is established: pins its key (with its name, and the address it was
    /// dialed at) after re-reading the file under the lock. Returns null, or why the session must be closed: another
    /// session or process pinned that name or address to another key since the Introduce was checked.
    /// </summary>
    /// <param name="dialed">The address this session was dialed at (as the user wrote it), or null for an accepted one.</param>
    public string? Established(RemotePeer peer, PeerAddress? dialed = null)
    {
        var address = dialed?.ToString();
        ArgumentNullException.ThrowIfNull(peer);
        lock (_gate)
        {
            // A peer met before, and a file no other process appended to since: nothing to write, nothing to re-read.
            if (_unsaved.Count == 0 && CurrentLength() == _length && PinsOf(peer, address).All(_index.Holds) && Contradiction(peer, address) is null)
            {
                return null;
            }

            try
            {
                using (KnownPeersFile.Lock(_path, KnownPeersFile.LockTimeout))
                {
                    Reload();
                    if (Contradiction(peer, address) is { } reason)
                    {
                        return reason;
                    }

                    var pins = PinsOf(peer, address).Where(p => !_index.Holds(p)).ToList();
                    if (pins.Count == 0)
                    {
                        return null;
                    }

                    ApplyNew(pins);
                    _length = KnownPeersFile.Append(_path, pins);
                    return null;
                }
            }
            catch (NodeException e)
            {
                // The file turned malformed or contradictory while running (a hand edit): fail closed.
                return e.Message;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Still pinned in memory for this run, and written with the next pin that can be; only persistence waits.
                var pins = PinsOf(peer, address).Where(p => !_index.Holds(p) && _index.Conflict(p) is null).ToList();
                ApplyNew(pins);
                _unsaved.AddRange(pins);
                Serilog.Log.Warning("Cannot update known peers {Path}: {Reason}", _path, e.Message);
                return null;
            }
        }
    }

    private void ApplyNew(List<Pin> pins)
    {
        foreach (var pin in pins)
        {
            if (!_index.Knows(pin.Fingerprint))
            {
                _pinnedHere.Add(pin.Fingerprint);
            }

            _index.Add(pin);
        }
    }

    // Why this peer contradicts a pin, or null: the name it announces or the address it was dialed at is pinned to
    // another key.
    private string? Contradiction(RemotePeer peer, string? dialedAt)
    {
        var claims = new List<(Pin Pin, string? Known)>(2);
        if (IsNamed(peer))
        {
            claims.Add((new Pin(peer.Fingerprint.Base64, PinKind.Name, peer.Name), _index.FingerprintOfName(peer.Name)));
        }

        if (dialedAt is { } dialed)
        {
            claims.Add((new Pin(peer.Fingerprint.Base64, PinKind.Address, dialed), _index.FingerprintOfAddress(dialed)));
        }

        foreach (var (pin, known) in claims)
        {
            if (known is not null && known != pin.Fingerprint)
            {
                return $"{pin.Describe()} is known with key {known} but presented {pin.Fingerprint}; if the peer really changed its key, "
                    + $"remove the line \"{KnownPeersFile.Format(pin with { Fingerprint = known })}\" from {_path}";
            }
        }

        return null;
    }

    // What a session with this peer pins: its key, labelled with its name unless it announces the default name (its
    // key already) or the key is pinned under another name (a key keeps its first name), and the address it was
    // dialed at.
    private IEnumerable<Pin> PinsOf(RemotePeer peer, string? dialedAt)
    {
        var name = new Pin(peer.Fingerprint.Base64, PinKind.Name, peer.Name);
        yield return IsNamed(peer) && _index.Conflict(name) is null ? name : new Pin(peer.Fingerprint.Base64, PinKind.Key);
        if (dialedAt is { } dialed)
        {
            yield return new Pin(peer.Fingerprint.Base64, PinKind.Address, dialed);
        }
    }

    private static bool IsNamed(RemotePeer peer) => !string.Equals(peer.Name, peer.Identity.DefaultName, StringComparison.Ordinal);

    private sealed class DialedVerifier(KnownPeers known, string address) : IIdentityVerifier
    {
        public Task<IdentityVerdict> VerifyAsync(RemotePeer peer, CancellationToken cancellationToken) => known.Verify(peer, address);
    }

    // Another process sharing this home may have appended since: the file is re-read when its length moved.
    private void RefreshIfChanged()
    {
        if (CurrentLength() == _length)
        {
            return;
        }

        using (KnownPeersFile.Lock(_path, KnownPeersFile.LockTimeout))
        {
            Reload();
        }
    }

    private long CurrentLength() => File.Exists(_path) ? new FileInfo(_path).Length : 0;

    // Under the lock: the file is the truth; pins this run could not write are laid over it where they still fit,
    // and written now.
    private void Reload()
    {
        var (lines, length) = KnownPeersFile.Read(_path);
        var index = PinIndex.Build(_path, KnownPeersFile.Parse(_path, lines));
        var unsaved = _unsaved.Where(p => !index.Holds(p) && index.Conflict(p) is null).ToList();
        foreach (var pin in unsaved)
        {
            index.Add(pin);
        }

        _index = index;
        _length = length;
        _unsaved.Clear();
        if (unsaved.Count > 0)
        {
            _length = KnownPeersFile.Append(_path, unsaved);
        }
    }

    private static string AddressOf(EndPoint? endpoint) => endpoint switch
    {
        IPEndPoint ip => (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(),
        null => "an unknown address",
        _ => endpoint.ToString() ?? "an unknown address",
    };
}

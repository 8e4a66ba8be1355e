using Kamune.Node.Cli;

namespace Kamune.Node.Hosting;

/// <summary>
/// The hub's dials, correlated by request and then by session, never by address: two dials to one endpoint each get
/// their own session. A dial is first waiting for its connection (resolving, then the runtime's DialConnected or
/// DialFailed answering that one request), then handshaking on its session until the session is established or
/// closes. A session whose SessionEstablished overtakes its DialConnected (they come from different actors) is held until
/// the DialConnected names it. <typeparamref name="TSession"/> is the session actor in the hub; any key in tests.
/// </summary>
internal sealed class DialBook<TSession, TRequester, TEarly>
    where TSession : notnull
{
    private readonly Dictionary<long, Pending> _connecting = new();
    private readonly Dictionary<TSession, Pending> _handshaking = new();
    private readonly Dictionary<TSession, TEarly> _early = new();
    private long _next;

    /// <summary>One dial: <see cref="Id"/> correlates the runtime's answer with this request.</summary>
    public sealed record Pending(long Id, PeerAddress Address, TRequester Requester);

    /// <summary>Dials not yet answered: connecting or handshaking.</summary>
    public int Count => _connecting.Count + _handshaking.Count;

    /// <summary>Sessions dialed and not yet established, so a close-all reaches them too.</summary>
    public IEnumerable<TSession> Handshaking => _handshaking.Keys;

    public int HandshakingCount => _handshaking.Count;

    public Pending Start(PeerAddress address, TRequester requester)
    {
        var pending = new Pending(++_next, address, requester);
        _connecting[pending.Id] = pending;
        return pending;
    }

    /// <summary>The dial <paramref name="id"/>, still waiting for its connection.</summary>
    public bool TryGet(long id, out Pending pending) => _connecting.TryGetValue(id, out pending!);

    /// <summary>The dial <paramref name="id"/> failed before it had a session (resolving, connecting, no answer).</summary>
    public bool TryFail(long id, out Pending pending) => _connecting.Remove(id, out pending!);

    /// <summary>
    /// The dial <paramref name="id"/> has its session. Returns an established event that came first, if one did,
    /// for the hub to handle now that it is known to be this dial's.
    /// </summary>
    public bool Connected(long id, TSession session, out TEarly? early)
    {
        early = default;
        if (!_connecting.Remove(id, out var pending))
        {
            return false;
        }

        _handshaking[session] = pending;
        _early.Remove(session, out early);
        return true;
    }

    /// <summary>The dial whose session this is, still pending.</summary>
    public bool TryPeek(TSession session, out Pending pending) => _handshaking.TryGetValue(session, out pending!);

    /// <summary>The dial whose session this is, which ends here (established or closed); false for any other session.</summary>
    public bool TryClaim(TSession session, out Pending pending) => _handshaking.Remove(session, out pending!);

    /// <summary>
    /// An initiator session established before any dial claimed it: held while a dial still waits for its
    /// connection (its DialConnected is on the way). False when none waits: no dial of this hub made that session.
    /// </summary>
    public bool TryHoldEarly(TSession session, TEarly early)
    {
        if (_connecting.Count == 0)
        {
            return false;
        }

        _early[session] = early;
        return true;
    }

    /// <summary>Held sessions that no dial can claim any more (every dial has its answer): the hub closes them.</summary>
    public IReadOnlyList<(TSession Session, TEarly Early)> Orphans()
    {
        if (_connecting.Count > 0 || _early.Count == 0)
        {
            return [];
        }

        var orphans = _early.Select(p => (p.Key, p.Value)).ToArray();
        _early.Clear();
        return orphans;
    }
}

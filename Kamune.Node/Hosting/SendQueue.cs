namespace Kamune.Node.Hosting;

/// <summary>
/// One message (or the close) a user command put on its way to a session: the correlation of its Send, so the
/// session's SendAck or SendRefused finds it again.
/// </summary>
internal sealed class Outgoing
{
    private Outgoing(int number, ReadOnlyMemory<byte> data, bool isClose)
    {
        Number = number;
        Data = data;
        IsClose = isClose;
    }

    /// <summary>The session's number, for the events about this message.</summary>
    public int Number { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Not a message: the session is closed once everything before it went out.</summary>
    public bool IsClose { get; }

    public static Outgoing Message(int number, ReadOnlyMemory<byte> data) => new(number, data, false);

    public static Outgoing Close(int number) => new(number, ReadOnlyMemory<byte>.Empty, true);
}

/// <summary>
/// The sends users command (JSON "send", typed console lines), per session, in the order commanded. A session gets
/// one at a time: the next goes once the session answered the last (SendAck), and one the session refuses for
/// back-pressure is offered again until it is taken: once, on the session's SendWindowOpen or the hub's fallback
/// timer, whichever comes first (<see cref="TakeRetry"/>). The runtime's send window refuses rather than queues, and a
/// later Send can be accepted after an earlier one was refused; with one unanswered Send per session the order on
/// the wire is always the order commanded. A close queued behind the sends goes after them.
/// Bounded: <see cref="HasRoom"/> says whether the next command for a session may be taken now (the command intake
/// waits otherwise, so stdin is read no further); <typeparamref name="TSession"/> is the session actor in the hub.
/// </summary>
internal sealed class SendQueue<TSession>
    where TSession : notnull
{
    private readonly Dictionary<TSession, Lane> _lanes = new();
    private readonly int _maxPerSession;
    private readonly long _maxSessionBytes;
    private readonly long _maxBytes;
    private long _bytes;

    public SendQueue(int maxPerSession, long maxSessionBytes, long maxBytes)
    {
        _maxPerSession = maxPerSession;
        _maxSessionBytes = maxSessionBytes;
        _maxBytes = maxBytes;
    }

    /// <summary>Payload bytes waiting across every session (the one in flight included).</summary>
    public long Bytes => _bytes;

    /// <summary>
    /// The session refused for back-pressure (its send window, or its queue for early sends, was full), not for a
    /// fault: the same message is offered again.
    /// </summary>
    public static bool IsBackPressure(SendRefusalKind kind) => kind is SendRefusalKind.BackPressure or SendRefusalKind.NotEstablished;

    /// <summary>
    /// The session refused because it is closing or closed: nothing more is offered to it, and its SessionClosed
    /// reports what was not sent.
    /// </summary>
    public static bool IsSessionEnding(SendRefusalKind kind) => kind is SendRefusalKind.Closing or SendRefusalKind.Closed;

    /// <summary>Queues <paramref name="item"/>; returns what to hand the session now, or null when it waits its turn.</summary>
    public Outgoing? Enqueue(TSession session, Outgoing item)
    {
        if (!_lanes.TryGetValue(session, out var lane))
        {
            lane = new Lane();
            _lanes[session] = lane;
        }

        var idle = !lane.InFlight;
        lane.Items.Enqueue(item);
        lane.Bytes += item.Data.Length;
        lane.Closing |= item.IsClose;
        _bytes += item.Data.Length;
        return idle ? item : null;
    }

    /// <summary>A close is queued for <paramref name="session"/>: later commands for it are refused.</summary>
    public bool IsClosing(TSession session) => _lanes.TryGetValue(session, out var lane) && lane.Closing;

    /// <summary>The message (or close) in flight, to offer again after a back-pressure refusal.</summary>
    public Outgoing? InFlight(TSession session) =>
        _lanes.TryGetValue(session, out var lane) && lane.InFlight ? lane.Items.Peek() : null;

    /// <summary>How many back-pressure refusals in a row the message in flight has had (the retry backs off).</summary>
    public int Refusals(TSession session) => _lanes.TryGetValue(session, out var lane) ? lane.Refusals : 0;

    /// <summary>Counts one back-pressure refusal of the message in flight, which now waits to be offered again.</summary>
    public void Refused(TSession session)
    {
        if (_lanes.TryGetValue(session, out var lane))
        {
            lane.Refusals++;
            lane.AwaitingRetry = true;
        }
    }

    /// <summary>
    /// The refused message to offer again now, or null when none waits (it was offered again already and its answer
    /// is on the way, or it was answered). Each refusal yields its message once, so the session's SendWindowOpen and
    /// the fallback timer, both coming, never send it twice.
    /// </summary>
    public Outgoing? TakeRetry(TSession session)
    {
        if (!_lanes.TryGetValue(session, out var lane) || !lane.InFlight || !lane.AwaitingRetry)
        {
            return null;
        }

        lane.AwaitingRetry = false;
        return lane.Items.Peek();
    }

    /// <summary>
    /// The session answered <paramref name="item"/> (accepted it, or refused it for a fault): the next item to hand
    /// it, if one waits. An answer to anything but the item in flight changes nothing.
    /// </summary>
    public Outgoing? Done(TSession session, Outgoing item)
    {
        if (!_lanes.TryGetValue(session, out var lane) || !lane.InFlight || !ReferenceEquals(lane.Items.Peek(), item))
        {
            return null;
        }

        lane.Items.Dequeue();
        lane.Bytes -= item.Data.Length;
        lane.Refusals = 0;
        lane.AwaitingRetry = false;
        _bytes -= item.Data.Length;
        if (lane.Items.Count > 0)
        {
            return lane.Items.Peek();
        }

        if (!lane.Closing)
        {
            _lanes.Remove(session);
        }

        return null;
    }

    /// <summary>
    /// Whether the command intake may take another command for <paramref name="session"/>: its queue is below its
    /// bounds, and the node's bytes are below the node's bound. An empty queue always has room.
    /// </summary>
    public bool HasRoom(TSession session)
    {
        if (!_lanes.TryGetValue(session, out var lane) || lane.Items.Count == 0)
        {
            return true;
        }

        return lane.Items.Count < _maxPerSession && lane.Bytes < _maxSessionBytes && _bytes < _maxBytes;
    }

    /// <summary>The session ended: returns how many queued messages never went out (a queued close is not counted).</summary>
    public int Remove(TSession session)
    {
        if (!_lanes.Remove(session, out var lane))
        {
            return 0;
        }

        _bytes -= lane.Bytes;
        return lane.Items.Count(i => !i.IsClose);
    }

    private sealed class Lane
    {
        public Queue<Outgoing> Items { get; } = new();

        public long Bytes { get; set; }

        // The head of the queue is always the one handed to the session and not answered yet.
        public bool InFlight => Items.Count > 0;

        public bool Closing { get; set; }

        public int Refusals { get; set; }

        /// <summary>The message in flight was refused for back-pressure and not offered again yet.</summary>
        public bool AwaitingRetry { get; set; }
    }
}

namespace Kamune.Node.Hosting;

/// <summary>One echo on its way back: the correlation of its Send, and the payload to send again after a refusal.</summary>
internal sealed class Echo(ReadOnlyMemory<byte> data)
{
    public ReadOnlyMemory<byte> Data { get; } = data;

    /// <summary>
    /// The received message this echoes was answered (DeliveryAck): set once, when the echo was accepted or dropped,
    /// so a message is answered exactly once however often its echo was offered.
    /// </summary>
    public bool Answered { get; set; }
}

/// <summary>
/// Echo mode's held echoes. An echo the session refuses for back-pressure (kamune.send-window full) is not dropped: it
/// and every later echo of that session wait here and go out one at a time, in the order received, as the session
/// accepts them, so a peer that keeps more messages in flight than our send window still gets every echo. What is
/// held is bounded per session (a count) and per node (bytes): beyond either, echoes are dropped, so a peer that
/// sends far more than it reads cannot grow this node's memory at will. <typeparamref name="TSession"/> is the session
/// actor in the hub; any key in tests.
/// </summary>
internal sealed class EchoBook<TSession>
    where TSession : notnull
{
    private readonly Dictionary<TSession, Held> _held = new();
    private readonly int _maxPerSession;
    private readonly long _maxBytes;
    private long _bytes;

    public EchoBook(int maxPerSession, long maxBytes)
    {
        _maxPerSession = maxPerSession;
        _maxBytes = maxBytes;
    }

    /// <summary>Payload bytes held across every session.</summary>
    public long Bytes => _bytes;

    /// <summary>
    /// A message arrived on <paramref name="session"/>: its echo to send now, or null when earlier echoes wait (then it
    /// was queued behind them, or <paramref name="dropped"/> at a bound).
    /// </summary>
    public Echo? Received(TSession session, ReadOnlyMemory<byte> data, out Drop? dropped)
    {
        dropped = null;
        var echo = new Echo(data);
        if (!_held.TryGetValue(session, out var held))
        {
            return echo;
        }

        if (HasRoom(held, echo))
        {
            Add(held, echo, refused: false);
        }
        else
        {
            dropped = Dropped(held, echo);
        }

        return null;
    }

    /// <summary>
    /// The session refused <paramref name="echo"/> for back-pressure: it is held (or, at a bound, it or a younger echo
    /// is <paramref name="dropped"/>). True when something is held, so the caller retries the head later.
    /// </summary>
    public bool Refused(TSession session, Echo echo, out Drop? dropped)
    {
        dropped = null;
        if (!_held.TryGetValue(session, out var held))
        {
            held = new Held();
            _held[session] = held;
        }

        if (held.IsHead(echo))
        {
            held.HeadInFlight = false;
            return true;
        }

        // Refusals come back in send order: this one goes after the earlier refused ones and before every echo that
        // was held without being sent. Being older than those, at a bound it takes the newest one's place, so what is
        // held is always the oldest echoes, without a gap.
        if (!HasRoom(held, echo))
        {
            if (held.NewestUnsent() is not { } newest)
            {
                dropped = Dropped(held, echo);
                return Forget(session, held);
            }

            held.Remove(newest);
            _bytes -= newest.Data.Length;
            dropped = Dropped(held, newest);
        }

        Add(held, echo, refused: true);
        return !held.HeadInFlight;
    }

    /// <summary>
    /// The echo to offer <paramref name="session"/> again, if one waits and none is on offer: the head goes out once
    /// at a time, so a retry never sends an echo twice.
    /// </summary>
    public Echo? Retry(TSession session)
    {
        if (!_held.TryGetValue(session, out var held) || held.HeadInFlight || held.Head is not { } head)
        {
            return null;
        }

        held.HeadInFlight = true;
        return head;
    }

    /// <summary>The session accepted <paramref name="echo"/>: the next held echo to send, if any.</summary>
    public Echo? Accepted(TSession session, Echo echo)
    {
        if (!_held.TryGetValue(session, out var held) || !held.IsHead(echo))
        {
            return null;
        }

        held.Remove(echo);
        _bytes -= echo.Data.Length;
        if (held.Head is { } next)
        {
            held.HeadInFlight = true;
            return next;
        }

        _held.Remove(session);
        return null;
    }

    /// <summary>The session ended: what it held is dropped. True if it held anything.</summary>
    public bool Remove(TSession session)
    {
        if (!_held.Remove(session, out var held))
        {
            return false;
        }

        _bytes -= held.Bytes;
        return true;
    }

    private bool HasRoom(Held held, Echo echo) => held.Count < _maxPerSession && _bytes + echo.Data.Length <= _maxBytes;

    private void Add(Held held, Echo echo, bool refused)
    {
        held.Add(echo, refused);
        _bytes += echo.Data.Length;
    }

    private static Drop Dropped(Held held, Echo echo) => new(echo, held.Dropped++ == 0, held.Count);

    private bool Forget(TSession session, Held held)
    {
        if (held.Count > 0)
        {
            return true;
        }

        _held.Remove(session);
        return false;
    }

    /// <summary>An echo dropped at a bound; <see cref="First"/> once per session and episode, for one log line.</summary>
    public sealed record Drop(Echo Echo, bool First, int Held);

    /// <summary>One session's echoes: the refused ones first, in send order, then the unsent.</summary>
    private sealed class Held
    {
        private readonly List<Echo> _items = new();
        private int _refused;

        public int Count => _items.Count;

        public long Bytes => _items.Sum(e => (long)e.Data.Length);

        public int Dropped { get; set; }

        /// <summary>The head was offered again and its answer has not come back.</summary>
        public bool HeadInFlight { get; set; }

        public Echo? Head => _items.Count > 0 ? _items[0] : null;

        public bool IsHead(Echo echo) => _items.Count > 0 && ReferenceEquals(_items[0], echo);

        public void Add(Echo echo, bool refused)
        {
            if (refused)
            {
                _items.Insert(_refused++, echo);
            }
            else
            {
                _items.Add(echo);
            }
        }

        public Echo? NewestUnsent() => _items.Count > _refused ? _items[^1] : null;

        public void Remove(Echo echo)
        {
            var index = _items.IndexOf(echo);
            _items.RemoveAt(index);
            if (index < _refused)
            {
                _refused--;
            }
        }
    }
}

namespace Kamune.Actors.Runtime;

/// <summary>
/// One bound on everything a session writes (kamune.send-window), with no actor in it (PeerActor applies it). A frame
/// counts from the moment it is asked for (sealing at the CipherActor, or written directly during the handshake) until
/// the connection confirms it (<see cref="FrameWritten"/>), whatever it carries: application message, PING, PONG,
/// CLOSE_TRANSPORT, handshake frame. Application sends are admitted only while it has room. A reply the peer asked for
/// (PONG) is never refused, since its PING was already read, but while the budget is full and such a reply is among
/// the frames in flight the session reads nothing more: a peer that sends PINGs and does not read their answers is
/// pushed back by TCP instead of growing this node's memory (issue 16 item 1; Go answers PINGs inline in its read loop
/// and stalls the same way). Application sends alone never stop reading, so two nodes streaming at each other do not
/// wait on each other's reads.
/// </summary>
internal sealed class OutboundBudget
{
    // Frames asked for, in order, each marked whether it is a reply to the peer: the cipher answers seals in order and
    // the connection confirms writes in order, so the head of each queue is always the next one to come back.
    private readonly Queue<bool> _sealing = new();
    private readonly Queue<bool> _writing = new();
    private int _replies;

    public OutboundBudget(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Frames sealing or written and not yet confirmed.</summary>
    public int InFlight => _sealing.Count + _writing.Count;

    /// <summary>An application send may be sealed now.</summary>
    public bool HasRoom => InFlight < Capacity;

    /// <summary>Half the budget is free again: a good moment to tell refused senders to retry (no thrashing at the edge).</summary>
    public bool HalfFree => InFlight <= Capacity / 2;

    /// <summary>False while the budget is full and a reply to the peer waits in it: then the socket is not read.</summary>
    public bool AllowsRead => _replies == 0 || InFlight < Capacity;

    /// <summary>A frame goes to the cipher to be sealed; <paramref name="reply"/> for a PONG.</summary>
    public void Sealing(bool reply = false)
    {
        _sealing.Enqueue(reply);
        if (reply)
        {
            _replies++;
        }
    }

    /// <summary>The cipher answered the oldest seal: <paramref name="written"/> when its frame went to the connection.</summary>
    public void Sealed(bool written)
    {
        if (!_sealing.TryDequeue(out var reply))
        {
            return;
        }

        if (written)
        {
            _writing.Enqueue(reply);
        }
        else if (reply)
        {
            _replies--;
        }
    }

    /// <summary>A frame was written without sealing here (exchange, introduction, handshake and challenge frames).</summary>
    public void WrittenDirectly() => _writing.Enqueue(false);

    /// <summary>The connection confirmed the oldest written frame.</summary>
    public void Confirmed()
    {
        if (_writing.TryDequeue(out var reply) && reply)
        {
            _replies--;
        }
    }
}

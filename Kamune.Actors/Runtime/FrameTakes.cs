namespace Kamune.Actors.Runtime;

/// <summary>
/// Which of the frames a session told its connection the connection has taken responsibility for, with no actor in
/// it (PeerActor applies it): a send is acknowledged only once the live writer took its frame, never when it was
/// merely told to a writer that may already be gone (issue 18 item 1). One entry per <see cref="WriteFrame"/> told,
/// oldest first: the send to acknowledge, or null for a frame of the session's own (handshake, PING, PONG, close).
/// The writer answers every frame at once and in order with <see cref="FrameWritten"/> (taken by its queue),
/// <see cref="FrameHeld"/> (taken into its backlog; a <see cref="FrameWritten"/> follows when the queue takes it) or
/// <see cref="FrameDropped"/>. It moves held frames into its queue in order and puts a new frame straight into the
/// queue only when none is held, so while held frames wait for their <see cref="FrameWritten"/>, the next one always
/// completes the oldest of them and takes no new entry; only with none held does it answer the oldest entry.
/// </summary>
/// <typeparam name="TSend">A send to acknowledge once its frame is taken.</typeparam>
internal sealed class FrameTakes<TSend>
    where TSend : class
{
    private readonly Queue<TSend?> _untaken = new();
    private int _untakenSends;
    private int _held;

    /// <summary>A send told to the connection waits for its first answer.</summary>
    public bool HasUntakenSends => _untakenSends > 0;

    /// <summary>A <see cref="WriteFrame"/> was told: for <paramref name="send"/>, or for a frame of the session's own (null).</summary>
    public void Told(TSend? send)
    {
        _untaken.Enqueue(send);
        if (send is not null)
        {
            _untakenSends++;
        }
    }

    /// <summary><see cref="FrameHeld"/>: the oldest untaken frame is taken; returns its send to acknowledge, if any.</summary>
    public TSend? Held()
    {
        if (_untaken.Count == 0)
        {
            return null;
        }

        _held++;
        return Take();
    }

    /// <summary>
    /// <see cref="FrameWritten"/>: completes the oldest held frame if one waits (nothing new to acknowledge), else the
    /// oldest untaken frame is taken; returns the send to acknowledge, if any.
    /// </summary>
    public TSend? Written()
    {
        if (_held > 0)
        {
            _held--;
            return null;
        }

        return _untaken.Count == 0 ? null : Take();
    }

    /// <summary><see cref="FrameDropped"/>: the oldest untaken frame will never go out; returns its send to refuse, if any.</summary>
    public TSend? Dropped() => _untaken.Count == 0 ? null : Take();

    /// <summary>The connection is gone or the session ends: the sends not taken yet, oldest first, to refuse; all are forgotten.</summary>
    public List<TSend> DropUntaken()
    {
        var sends = _untaken.OfType<TSend>().ToList();
        _untaken.Clear();
        _untakenSends = 0;
        return sends;
    }

    private TSend? Take()
    {
        var next = _untaken.Dequeue();
        if (next is not null)
        {
            _untakenSends--;
        }

        return next;
    }
}

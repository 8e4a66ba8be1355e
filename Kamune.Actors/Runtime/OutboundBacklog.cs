using Akka.IO;

namespace Kamune.Actors.Runtime;

/// <summary>
/// How much a connection may hold for a peer that does not read (issue 16 item 1): at most <paramref name="MaxFrames"/>
/// frames and <paramref name="MaxBytes"/> payload bytes between the session and the socket, none of them older than
/// <paramref name="Deadline"/>.
/// </summary>
internal sealed record OutboundLimits(int MaxFrames, long MaxBytes, TimeSpan Deadline);

/// <summary>
/// The frames a connection holds for its peer and the rules that bound them, without actor types: those the socket
/// stream has not taken yet, in the <see cref="OutboundQueue"/> and, once it is full, waiting here in order behind
/// it. A frame is taken (its sender may be told FrameWritten) when it enters the queue; one that waits is the
/// writer's to send from the moment it is held (its sender is told FrameHeld), though not yet out of the budget.
/// Two rules decide that the peer is not reading. The bound: a frame that would make the held frames or bytes pass
/// <see cref="OutboundLimits"/> is refused, whatever the session's own budget says. The deadline: it runs from when
/// the oldest frame still held was given to the writer, not from the socket's last write, so a peer that reads a
/// trickle (the socket taking a frame now and then) runs out of time as surely as one that reads nothing.
/// </summary>
/// <typeparam name="TReply">Whom to tell when a frame is taken (the writer uses the sending actor).</typeparam>
internal sealed class OutboundBacklog<TReply>
{
    private readonly OutboundQueue.Handle _queue;
    private readonly OutboundLimits _limits;
    private readonly Queue<Waiting> _waiting = new();
    private long _waitingBytes;

    public OutboundBacklog(OutboundQueue.Handle queue, OutboundLimits limits)
    {
        _queue = queue;
        _limits = limits;
    }

    /// <summary>Frames held: queued for the socket or waiting for room in the queue.</summary>
    public int Frames => _queue.Count + _waiting.Count;

    /// <summary>Payload bytes of the frames held.</summary>
    public long Bytes => _queue.Bytes + _waitingBytes;

    /// <summary>The most frames held at once so far.</summary>
    public int PeakFrames { get; private set; }

    /// <summary>The most payload bytes held at once so far.</summary>
    public long PeakBytes { get; private set; }

    /// <summary>True while frames wait for room in the queue (their senders have not been told yet).</summary>
    public bool HasWaiting => _waiting.Count > 0;

    /// <summary>
    /// Takes <paramref name="frame"/>, given to the writer at <paramref name="now"/>: into the queue when nothing waits
    /// before it and the queue has room (then <paramref name="replyTo"/> is added to <paramref name="taken"/>), else
    /// behind what waits. Returns why the peer is not reading when holding it would pass the bound; the frame is
    /// then not held.
    /// </summary>
    public string? Add(ByteString frame, TReply replyTo, TimeSpan now, ICollection<TReply> taken)
    {
        var frames = Frames + 1;
        var bytes = Bytes + frame.Count;
        if (frames > _limits.MaxFrames || bytes > _limits.MaxBytes)
        {
            return $"outbound bound: expected at most {_limits.MaxFrames} frames and {_limits.MaxBytes} bytes held for the peer, "
                + $"got {frames} frames and {bytes} bytes with this one";
        }

        PeakFrames = Math.Max(PeakFrames, frames);
        PeakBytes = Math.Max(PeakBytes, bytes);
        if (_waiting.Count == 0 && _queue.TryOffer(frame, now))
        {
            taken.Add(replyTo);
            return null;
        }

        _waiting.Enqueue(new Waiting(frame, replyTo, now));
        _waitingBytes += frame.Count;
        return null;
    }

    /// <summary>The queue has room: moves what waits into it, in order, as far as it goes.</summary>
    public void Drain(ICollection<TReply> taken)
    {
        while (_waiting.TryPeek(out var next) && _queue.TryOffer(next.Frame, next.QueuedAt))
        {
            _waiting.Dequeue();
            _waitingBytes -= next.Frame.Count;
            taken.Add(next.ReplyTo);
        }
    }

    /// <summary>Forgets what waits (the socket has closed, nothing can take it any more).</summary>
    public int DropWaiting()
    {
        var dropped = _waiting.Count;
        _waiting.Clear();
        _waitingBytes = 0;
        return dropped;
    }

    /// <summary>
    /// Time left before the oldest frame held has waited <see cref="OutboundLimits.Deadline"/>: null when none is
    /// held, zero or less once the peer has kept one waiting that long.
    /// </summary>
    public TimeSpan? TimeLeft(TimeSpan now)
    {
        // The queue's frames all came before the waiting ones (FIFO), so its head is the oldest when it has one.
        TimeSpan? oldest = _queue.TryPeekOldest(out var queued) ? queued
            : _waiting.TryPeek(out var waiting) ? waiting.QueuedAt
            : null;
        return oldest + _limits.Deadline - now;
    }

    private readonly record struct Waiting(ByteString Frame, TReply ReplyTo, TimeSpan QueuedAt);
}

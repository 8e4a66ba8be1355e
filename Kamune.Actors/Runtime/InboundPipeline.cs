using Kamune.Protocol.Session;

namespace Kamune.Actors.Runtime;

/// <summary>
/// The rules of an established session's inbound side, with no actor in them (PeerActor applies them). Frames read
/// from the socket are opening (CipherActor, then the ReplayGuardActor) until their messages come back accepted, in
/// order; a message the handler cannot take yet (<c>kamune.delivery-window</c> deliveries unanswered by
/// <see cref="DeliveryAck"/>) is held, in order, until it can. The next read is owed from the moment frames arrive
/// and is asked for (FramesAck) only while fewer than <see cref="Depth"/> frames are opening or held, the handler is
/// not behind and the outbound side does not hold it back: otherwise the socket is not read and TCP pushes back on
/// the peer. The end of the connection waits until every frame read before it was handled, so CLOSE_TRANSPORT then
/// FIN reads as "peer closed" (protocol.md step 5).
/// </summary>
internal sealed class InboundPipeline
{
    /// <summary>
    /// Frames opening or held at most: enough to hide the actor hops behind one open + verify, small enough that a
    /// session holds at most 16 frames read ahead of its handler.
    /// </summary>
    public const int Depth = 16;

    private readonly int _deliveryWindow;
    private readonly Queue<InboundMessage> _held = new();
    private int _opening;
    private int _undelivered;
    private bool _readOwed;
    private object? _end;

    /// <param name="deliveryWindow">0: deliveries need no answer; N: at most N deliveries unanswered.</param>
    public InboundPipeline(int deliveryWindow)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deliveryWindow);
        _deliveryWindow = deliveryWindow;
    }

    /// <summary>The handler has <c>delivery-window</c> deliveries unanswered: nothing more goes to it, nothing more is read.</summary>
    public bool HandlerBehind => _deliveryWindow > 0 && _undelivered >= _deliveryWindow;

    /// <summary>Frames read and not yet handled (opening or held).</summary>
    public int InFlight => _opening + _held.Count;

    /// <summary>Deliveries the handler has not answered yet (always 0 without a delivery window).</summary>
    public int Undelivered => _undelivered;

    /// <summary>Frames came from the socket and went to be opened; the stream now waits for the next read.</summary>
    public void Read(int frames)
    {
        _opening += frames;
        _readOwed = true;
    }

    /// <summary>
    /// Messages came back opened and in sequence, in frame order. Returns true when <paramref name="message"/> may go
    /// to the handler now; false when it is held behind earlier ones or a handler that is behind.
    /// </summary>
    public bool Opened(InboundMessage message)
    {
        _opening--;
        if (_held.Count > 0 || HandlerBehind)
        {
            _held.Enqueue(message);
            return false;
        }

        return true;
    }

    /// <summary>A message that needs a <see cref="DeliveryAck"/> went to the handler.</summary>
    public void Delivered()
    {
        if (_deliveryWindow > 0)
        {
            _undelivered++;
        }
    }

    /// <summary>The handler answered one delivery; false when no delivery window is set (the answer means nothing).</summary>
    public bool Acknowledged()
    {
        if (_deliveryWindow == 0)
        {
            return false;
        }

        _undelivered = Math.Max(0, _undelivered - 1);
        return true;
    }

    /// <summary>The next held message, in order, once the handler may take it.</summary>
    public bool TryRelease(out InboundMessage message)
    {
        if (_held.Count > 0 && !HandlerBehind)
        {
            message = _held.Dequeue();
            return true;
        }

        message = default;
        return false;
    }

    /// <summary>
    /// True (once) when the owed read may be asked for now: room in the pipeline, the handler keeping up, and the
    /// outbound side not holding reads back (<paramref name="outboundAllowsRead"/>).
    /// </summary>
    public bool TakeRead(bool outboundAllowsRead)
    {
        if (!_readOwed || HandlerBehind || !outboundAllowsRead || InFlight >= Depth)
        {
            return false;
        }

        _readOwed = false;
        return true;
    }

    /// <summary>
    /// The connection ended (<paramref name="end"/>: ConnectionCompleted or ConnectionFailed). True when nothing read
    /// before it is still being handled, so it takes effect now; otherwise it waits for <see cref="TakeEnd"/>.
    /// </summary>
    public bool Ended(object end)
    {
        if (InFlight == 0)
        {
            return true;
        }

        _end ??= end;
        return false;
    }

    /// <summary>The connection end that waited, once every frame read before it was handled.</summary>
    public bool TakeEnd(out object end)
    {
        if (_end is { } waiting && InFlight == 0)
        {
            _end = null;
            end = waiting;
            return true;
        }

        end = null!;
        return false;
    }
}

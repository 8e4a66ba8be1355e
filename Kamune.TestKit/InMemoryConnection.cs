using Akka.Actor;
using Akka.IO;
using Kamune.Actors.Runtime;

namespace Kamune.TestKit;

/// <summary>
/// One direction of an in-memory connection, keeping the connection contract (docs/testing.md) as the TCP runtime
/// does. Outbound: it takes <see cref="WriteFrame"/> from the writing session, answers <see cref="FrameWritten"/> for
/// each and captures the payload; <see cref="CloseConnection"/> ends the direction (gracefully after what is queued, or
/// at once with <see cref="ConnectionFailed"/>). Inbound: the reading session's own connection (the other direction)
/// opens the contract with <see cref="ConnectionInit"/> naming this one, as a writer names its stream stage; this one
/// then hands the reading session one <see cref="FrameReceived"/> at a time, each only after the session's
/// <see cref="FrameAck"/> (or <see cref="FramesAck"/>, which one frame also answers), and ends with
/// <see cref="ConnectionCompleted"/>; it is the one stage the reading session takes frames from. Told
/// <see cref="Answer"/>, it plays the other answers a writer may give (<see cref="Answering"/>).
/// </summary>
internal sealed class InMemoryConnection : ReceiveActor
{
    private readonly Queue<object> _queue = new();
    private readonly FrameCapture _frames;
    private readonly FrameTamper _tamper;
    // Writers of the frames answered FrameHeld, oldest first: each is told FrameWritten on Release.
    private readonly Queue<IActorRef> _held = new();
    private Answer _answer = new(Answering.Written);
    private IActorRef _target = ActorRefs.Nobody;
    // Nothing goes out before Attach and the target's first acknowledgement: the writing peer may start (and write its
    // first frame) before the test has told this wire where frames go.
    private bool _awaitingAck = true;
    private bool _closed;
    private int _index;

    public InMemoryConnection(FrameCapture frames, FrameTamper tamper)
    {
        _frames = frames;
        _tamper = tamper;
        Receive<Attach>(attach =>
        {
            _target = attach.Target;
            _awaitingAck = true;
            // A session trusts only its own connection (its writer) to name the stage its frames come from.
            _target.Tell(new ConnectionInit(Self), attach.TargetWriter);
        });
        Receive<Answer>(answer => _answer = answer);
        Receive<Release>(_ =>
        {
            while (_held.TryDequeue(out var writer))
            {
                writer.Tell(FrameWritten.Instance);
            }
        });
        Receive<WriteFrame>(write =>
        {
            switch (_answer.Mode)
            {
                case Answering.Dropped:
                    Sender.Tell(FrameDropped.Instance);
                    return;
                case Answering.Nothing:
                    _answer.Observer?.Forward(write);
                    return;
                case Answering.Held:
                    Sender.Tell(FrameHeld.Instance);
                    _held.Enqueue(Sender);
                    break;
                default:
                    Sender.Tell(FrameWritten.Instance);
                    break;
            }

            _frames.Add(write.Payload.ToReadOnlySpan());
            if (!_closed)
            {
                foreach (var delivered in _tamper(_index++, write.Payload))
                {
                    _queue.Enqueue(new FrameReceived(delivered));
                }

                Deliver();
            }
        });
        Receive<FrameAck>(_ => Acknowledged());
        Receive<FramesAck>(_ => Acknowledged());
        Receive<CloseConnection>(close =>
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            if (close.Abort)
            {
                _queue.Clear();
                _target.Tell(new ConnectionFailed(new IOException("Connection reset by peer.")));
                return;
            }

            _queue.Enqueue(ConnectionCompleted.Instance);
            Deliver();
        });
    }

    public static Props Props(FrameCapture frames, FrameTamper tamper) => Akka.Actor.Props.Create(() => new InMemoryConnection(frames, tamper));

    private void Acknowledged()
    {
        _awaitingAck = false;
        Deliver();
    }

    private void Deliver()
    {
        while (!_awaitingAck && _queue.Count > 0)
        {
            var next = _queue.Dequeue();
            _target.Tell(next, Self);
            _awaitingAck = next is FrameReceived;
        }
    }

    /// <summary>How the wire answers a writing session's WriteFrame.</summary>
    public enum Answering
    {
        /// <summary>FrameWritten at once, and the frame goes to the other side (a writer whose queue has room).</summary>
        Written,

        /// <summary>FrameHeld at once, FrameWritten on <see cref="Release"/>; the frame goes to the other side.</summary>
        Held,

        /// <summary>FrameDropped; the frame goes nowhere (a writer whose connection is closing or closed).</summary>
        Dropped,

        /// <summary>No answer; the frame goes only to the observer (a writer that dies before it takes the frame).</summary>
        Nothing,
    }

    /// <summary>Test to wire: the session that reads this direction's frames, and that session's own connection.</summary>
    public sealed record Attach(IActorRef Target, IActorRef TargetWriter);

    /// <summary>From now on answer WriteFrame the <paramref name="Mode"/> way; <paramref name="Observer"/> sees what is not answered.</summary>
    public sealed record Answer(Answering Mode, IActorRef? Observer = null);

    /// <summary>Tells FrameWritten for every frame answered FrameHeld so far, oldest first.</summary>
    public sealed class Release
    {
        public static readonly Release Instance = new();
    }
}

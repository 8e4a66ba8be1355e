using System.Net;
using Akka.Actor;
using Akka.IO;
using Akka.TestKit;
using Kamune.Actors.Runtime;
using Kamune.Tests.Session;

namespace Kamune.Tests.Actors;

/// <summary>
/// One direction of an in-memory connection: takes WriteFrame from one PeerActor (answering FrameWritten), records
/// every frame, and hands them to the other PeerActor one at a time, waiting for its FrameAck as the stream's
/// ActorRefWithAck sink would. A <c>tamper</c> function may drop, duplicate or alter frame number i. Told
/// <see cref="Answer"/>, it plays the other answers a writer may give (<see cref="Answering"/>).
/// </summary>
internal sealed class WireActor : ReceiveActor
{
    private readonly Queue<object> _queue = new();
    private readonly List<byte[]> _frames;
    private readonly Func<int, ByteString, IEnumerable<ByteString>> _tamper;
    // Writers of the frames answered FrameHeld, oldest first: each is told FrameWritten on Release.
    private readonly Queue<IActorRef> _held = new();
    private Answer _answer = new(Answering.Written);
    private IActorRef _target = ActorRefs.Nobody;
    // Nothing goes out before Attach and the target's first acknowledgement: the writing peer may start (and write its
    // first frame) before the test has told this wire where frames go.
    private bool _awaitingAck = true;
    private bool _closed;
    private int _index;

    public WireActor(List<byte[]> frames, Func<int, ByteString, IEnumerable<ByteString>> tamper)
    {
        _frames = frames;
        _tamper = tamper;
        Receive<Attach>(attach =>
        {
            _target = attach.Target;
            _awaitingAck = true;
            _target.Tell(ConnectionInit.Instance);
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

            lock (_frames)
            {
                _frames.Add(write.Payload.ToArray());
            }

            if (!_closed)
            {
                foreach (var delivered in _tamper(_index++, write.Payload))
                {
                    _queue.Enqueue(new FrameReceived(delivered));
                }

                Deliver();
            }
        });
        Receive<FrameAck>(_ =>
        {
            _awaitingAck = false;
            Deliver();
        });
        // One frame at a time is a valid answer to FramesAck too.
        Receive<FramesAck>(_ =>
        {
            _awaitingAck = false;
            Deliver();
        });
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

    public static Func<int, ByteString, IEnumerable<ByteString>> Untouched { get; } = (_, frame) => [frame];

    private void Deliver()
    {
        while (!_awaitingAck && _queue.Count > 0)
        {
            var next = _queue.Dequeue();
            _target.Tell(next, Self);
            _awaitingAck = next is FrameReceived;
        }
    }

    /// <summary>How the wire answers a writing PeerActor's WriteFrame.</summary>
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

    public sealed record Attach(IActorRef Target);

    /// <summary>From now on answer WriteFrame the <paramref name="Mode"/> way; <paramref name="Observer"/> sees what is not answered.</summary>
    public sealed record Answer(Answering Mode, IActorRef? Observer = null);

    /// <summary>Tells FrameWritten for every frame answered FrameHeld so far, oldest first.</summary>
    public sealed class Release
    {
        public static readonly Release Instance = new();
    }
}

/// <summary>Two PeerActors (initiator and responder) joined by two <see cref="WireActor"/>s, with probes as handlers.</summary>
internal sealed class PeerPair : IDisposable
{
    private PeerPair(TestKitBase kit, Settings settings)
    {
        InitiatorKey = IdentityKeyPair.FromSeed(PureSession.Seed(settings.Seed, 0x11));
        ResponderKey = IdentityKeyPair.FromSeed(PureSession.Seed(settings.Seed, 0x22));
        InitiatorHandler = kit.CreateTestProbe();
        ResponderHandler = kit.CreateTestProbe();
        var toResponder = kit.Sys.ActorOf(Props.Create(() => new WireActor(InitiatorFrames, settings.TamperToResponder)));
        var toInitiator = kit.Sys.ActorOf(Props.Create(() => new WireActor(ResponderFrames, settings.TamperToInitiator)));
        var clock = new ManualClock(PureSession.Start);

        PeerOptions Options(SessionRole role, IActorRef connection, IActorRef handler, IdentityKeyPair key, ulong seed, IIdentityVerifier verifier) => new(
            role, connection, handler, key, role.ToString().ToLowerInvariant(), "0.7.0", verifier, new DeterministicRandomSource(seed), clock,
            new DnsEndPoint(role.ToString().ToLowerInvariant(), 7000), settings.HandshakeTimeout, settings.IdleTimeout,
            role == SessionRole.Initiator ? settings.KeepAlive : null, 65535,
            settings.SendWindow, settings.DeliveryWindow, settings.Monotonic ?? new SchedulerClock(kit.Sys.Scheduler));

        Responder = kit.Sys.ActorOf(PeerActor.Props(Options(
            SessionRole.Responder, toInitiator, ResponderHandler, ResponderKey, settings.Seed * 2 + 1, settings.ResponderVerifier)));
        Initiator = kit.Sys.ActorOf(PeerActor.Props(Options(
            SessionRole.Initiator, toResponder, InitiatorHandler, InitiatorKey, settings.Seed * 2, settings.InitiatorVerifier)));
        toResponder.Tell(new WireActor.Attach(Responder));
        toInitiator.Tell(new WireActor.Attach(Initiator));
        InitiatorConnection = toResponder;
        ResponderConnection = toInitiator;
    }

    /// <summary>The initiator's connection: what it writes goes to the responder.</summary>
    public IActorRef InitiatorConnection { get; }

    /// <summary>The responder's connection: what it writes goes to the initiator.</summary>
    public IActorRef ResponderConnection { get; }

    public IdentityKeyPair InitiatorKey { get; }

    public IdentityKeyPair ResponderKey { get; }

    public TestProbe InitiatorHandler { get; }

    public TestProbe ResponderHandler { get; }

    public IActorRef Initiator { get; }

    public IActorRef Responder { get; }

    /// <summary>Frames written by the initiator, in order (the bytes a TCP capture would show, minus length headers).</summary>
    public List<byte[]> InitiatorFrames { get; } = [];

    public List<byte[]> ResponderFrames { get; } = [];

    public static PeerPair Start(TestKitBase kit, Settings? settings = null) => new(kit, settings ?? new Settings());

    /// <summary>Starts a pair and waits until both handlers heard SessionEstablished.</summary>
    public static (PeerPair Pair, SessionEstablished AtInitiator, SessionEstablished AtResponder) Established(TestKitBase kit, Settings? settings = null)
    {
        var pair = Start(kit, settings);
        var atInitiator = pair.InitiatorHandler.ExpectMsg<SessionEstablished>();
        var atResponder = pair.ResponderHandler.ExpectMsg<SessionEstablished>();
        return (pair, atInitiator, atResponder);
    }

    public void Dispose()
    {
        InitiatorKey.Dispose();
        ResponderKey.Dispose();
    }

    internal sealed record Settings
    {
        public ulong Seed { get; init; } = 1;

        public IIdentityVerifier InitiatorVerifier { get; init; } = AcceptAllVerifier.Instance;

        public IIdentityVerifier ResponderVerifier { get; init; } = AcceptAllVerifier.Instance;

        public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

        public TimeSpan IdleTimeout { get; init; } = TimeSpan.Zero;

        /// <summary>Keep-alive for the initiator only, so the order of frames stays independent of thread timing.</summary>
        public TimeSpan? KeepAlive { get; init; }

        public int SendWindow { get; init; } = 16;

        public int DeliveryWindow { get; init; }

        /// <summary>Null: the test scheduler's virtual time.</summary>
        public IMonotonicClock? Monotonic { get; init; }

        public Func<int, ByteString, IEnumerable<ByteString>> TamperToResponder { get; init; } = WireActor.Untouched;

        public Func<int, ByteString, IEnumerable<ByteString>> TamperToInitiator { get; init; } = WireActor.Untouched;
    }
}

/// <summary>The scheduler's time as the monotonic clock: with the test scheduler, idle accounting follows Advance.</summary>
internal sealed class SchedulerClock(IScheduler scheduler) : IMonotonicClock
{
    private readonly DateTimeOffset _start = scheduler.Now;

    public TimeSpan Elapsed => scheduler.Now - _start;
}

/// <summary>TestKit with the virtual-time scheduler: timers fire only when a test calls Advance.</summary>
public abstract class PeerTestKit : Akka.TestKit.Xunit2.TestKit
{
    protected PeerTestKit()
        : base("""
               akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
               akka.loglevel = WARNING
               akka.test.timefactor = 1
               # The machine is shared and test classes run in parallel: allow slow hand-offs, never sleep.
               akka.test.single-expect-default = 10s
               """)
    {
    }

    protected TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    /// <summary>
    /// Runs <paramref name="tell"/> while <paramref name="actor"/> processes nothing, so everything told lands in its
    /// mailbox in that order before it takes the first of them.
    /// </summary>
    protected static void WhileSuspended(IActorRef actor, Action tell)
    {
        var suspended = (IInternalActorRef)actor;
        suspended.Suspend();
        try
        {
            tell();
        }
        finally
        {
            suspended.Resume(null);
        }
    }
}

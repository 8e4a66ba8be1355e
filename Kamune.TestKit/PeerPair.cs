using System.Net;
using Akka.Actor;
using Akka.TestKit;
using Kamune.Actors.Runtime;

namespace Kamune.TestKit;

/// <summary>
/// Two real Kamune sessions (initiator and responder) joined by an in-memory connection, with TestProbes as their
/// handlers and as their parent: the whole protocol runs (exchange, introduction, handshake, challenge, messages) with
/// no socket, seeded randomness, a manual clock and whatever scheduler the test's ActorSystem runs, so with Akka.TestKit's
/// TestScheduler a session writes the same bytes on every run and its timers fire only on <c>Advance</c>.
/// </summary>
/// <remarks>
/// <para>
/// The connection contract the in-memory connection keeps, as the TCP runtime does (and as any connection a session
/// runs over must): the session's own connection (the one it writes to), not the session, opens the inbound side with
/// <c>ConnectionInit</c> naming the stage that delivers its frames, and the session answers that stage <c>FrameAck</c>
/// (demand for one frame). Each inbound frame is one <c>FrameReceived</c>, sent only after the
/// previous acknowledgement; a session may answer <c>FramesAck</c> instead (once established), which the connection
/// answers with <c>FramesReceived</c> (every waiting frame, in order) or a single <c>FrameReceived</c>. The inbound side
/// ends with <c>ConnectionCompleted</c> (clean end) or <c>ConnectionFailed</c> (error), after every frame sent before it.
/// A session takes frames and the end only from the stage its connection named (a failure also from its connection);
/// the same messages from anyone else are dropped. Outbound, the session sends <c>WriteFrame</c> to its connection, which answers each at once, in order,
/// with <c>FrameWritten</c> (took it), <c>FrameHeld</c> (holds it behind a full queue; <c>FrameWritten</c> follows) or
/// <c>FrameDropped</c> (closing or closed; nothing follows); answering <c>FrameWritten</c> alone, as the in-memory
/// connection does, keeps the contract. <c>CloseConnection</c> ends the outbound side gracefully (after the frames
/// already taken) or, with abort, at once. Payloads are frame payloads: the 2-byte length is the transport's.
/// </para>
/// <para>
/// The sessions are children of <see cref="Parent"/>, not of a Kamune node's manager: a session under any parent but
/// the manager tells its parent nothing, so <see cref="Parent"/> receives no message.
/// </para>
/// </remarks>
public sealed class PeerPair : IDisposable
{
    private readonly TestProbe _timers;

    private PeerPair(TestKitBase kit, PeerPairOptions options)
    {
        InitiatorKey = IdentityKeyPair.FromSeed(DeterministicRandomSource.IdentitySeed(options.Seed, 0x11));
        ResponderKey = IdentityKeyPair.FromSeed(DeterministicRandomSource.IdentitySeed(options.Seed, 0x22));
        InitiatorHandler = kit.CreateTestProbe();
        ResponderHandler = kit.CreateTestProbe();
        Parent = kit.CreateTestProbe();
        _timers = kit.CreateTestProbe();
        Clock = new ManualClock(options.ClockStart);
        var toResponder = kit.Sys.ActorOf(InMemoryConnection.Props(InitiatorFrames, options.TamperToResponder));
        var toInitiator = kit.Sys.ActorOf(InMemoryConnection.Props(ResponderFrames, options.TamperToInitiator));
        var monotonic = options.Monotonic ?? new SchedulerClock(kit.Sys.Scheduler);

        Props Session(SessionRole role, IActorRef connection, IActorRef handler, IdentityKeyPair key, ulong seed, IIdentityVerifier verifier) =>
            PeerActor.Props(options.Session(role).Options(
                role, connection, handler, key, verifier, new DeterministicRandomSource(seed), Clock,
                new DnsEndPoint(role.ToString().ToLowerInvariant(), 7000), monotonic) with { HandshakeTimerWatcher = _timers });

        Responder = Parent.ChildActorOf(Session(
            SessionRole.Responder, toInitiator, ResponderHandler, ResponderKey, options.Seed * 2 + 1, options.ResponderVerifier));
        Initiator = Parent.ChildActorOf(Session(
            SessionRole.Initiator, toResponder, InitiatorHandler, InitiatorKey, options.Seed * 2, options.InitiatorVerifier));
        toResponder.Tell(new InMemoryConnection.Attach(Responder, toInitiator));
        toInitiator.Tell(new InMemoryConnection.Attach(Initiator, toResponder));
        InitiatorConnection = toResponder;
        ResponderConnection = toInitiator;
    }

    /// <summary>
    /// The initiator's connection: what the initiator writes goes through it to the responder. Stop it to cut the
    /// connection under the initiator (the session ends as ConnectionLost).
    /// </summary>
    public IActorRef InitiatorConnection { get; }

    /// <summary>The responder's connection: what the responder writes goes through it to the initiator.</summary>
    public IActorRef ResponderConnection { get; }

    /// <summary>The initiator's identity (seeded by <see cref="PeerPairOptions.Seed"/>); disposed with the pair.</summary>
    public IdentityKeyPair InitiatorKey { get; }

    /// <summary>The responder's identity (seeded by <see cref="PeerPairOptions.Seed"/>); disposed with the pair.</summary>
    public IdentityKeyPair ResponderKey { get; }

    /// <summary>The initiator's handler: receives its SessionEstablished, MessageReceived and SessionClosed.</summary>
    public TestProbe InitiatorHandler { get; }

    /// <summary>The responder's handler: receives its SessionEstablished, MessageReceived and SessionClosed.</summary>
    public TestProbe ResponderHandler { get; }

    /// <summary>The parent of both sessions (a standalone session's parent hears nothing from it).</summary>
    public TestProbe Parent { get; }

    /// <summary>The initiator's session: takes SendMessage, DeliveryAck and CloseSession.</summary>
    public IActorRef Initiator { get; }

    /// <summary>The responder's session: takes SendMessage, DeliveryAck and CloseSession.</summary>
    public IActorRef Responder { get; }

    /// <summary>Both sessions' wall clock (envelope timestamps): it moves only when the test advances it.</summary>
    public ManualClock Clock { get; }

    /// <summary>Frames the initiator wrote, in order, before any tampering: the bytes a TCP capture shows, minus lengths.</summary>
    public FrameCapture InitiatorFrames { get; } = new();

    /// <summary>Frames the responder wrote, in order, before any tampering.</summary>
    public FrameCapture ResponderFrames { get; } = new();

    /// <summary>
    /// Starts a pair; with no <paramref name="options"/>, the session settings of <paramref name="kit"/>'s ActorSystem
    /// (<see cref="PeerPairOptions.FromSystem"/>).
    /// </summary>
    public static PeerPair Start(TestKitBase kit, PeerPairOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(kit);
        return new PeerPair(kit, options ?? PeerPairOptions.FromSystem(kit.Sys));
    }

    /// <summary>Starts a pair and waits until both handlers heard SessionEstablished.</summary>
    public static (PeerPair Pair, SessionEstablished AtInitiator, SessionEstablished AtResponder) Established(
        TestKitBase kit, PeerPairOptions? options = null)
    {
        var pair = Start(kit, options);
        var atInitiator = pair.InitiatorHandler.ExpectMsg<SessionEstablished>();
        var atResponder = pair.ResponderHandler.ExpectMsg<SessionEstablished>();
        return (pair, atInitiator, atResponder);
    }

    /// <summary>
    /// Waits until both sessions' handshake timers run (each session arms its own as it starts), so that a following
    /// <c>TestScheduler.Advance</c> is sure to move past them; no polling. Returns each timer's timeout.
    /// </summary>
    public (TimeSpan Initiator, TimeSpan Responder) ExpectHandshakeTimersArmed(TimeSpan? max = null)
    {
        var armed = new[] { _timers.ExpectMsg<HandshakeTimerArmed>(max), _timers.ExpectMsg<HandshakeTimerArmed>(max) };
        return (armed.Single(a => a.Session.Equals(Initiator)).Timeout, armed.Single(a => a.Session.Equals(Responder)).Timeout);
    }

    /// <summary>Disposes both identities; the sessions end with the test's ActorSystem.</summary>
    public void Dispose()
    {
        InitiatorKey.Dispose();
        ResponderKey.Dispose();
    }
}

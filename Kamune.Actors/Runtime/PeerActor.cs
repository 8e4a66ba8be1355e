using Akka.Actor;
using Akka.Event;
using Kamune.Protocol;
using Kamune.Protocol.Session;

namespace Kamune.Actors.Runtime;

/// <summary>
/// One connection, one session, in either role. A behaviour per phase — Exchange, Introduction, Handshake, Challenge
/// (this file), Established and Closing (PeerActor.Established.cs) — each a method over the state it needs; the
/// crypto runs in the <see cref="CipherActor"/> child, the receive sequence in the <see cref="ReplayGuardActor"/>
/// child; this actor coordinates, times and reports. The rules it applies live in plain classes beside it: the
/// inbound pipeline (<see cref="InboundPipeline"/>), the one outbound budget (<see cref="OutboundBudget"/>), the seal
/// batching (<see cref="SealBatch"/>) and the order-safe admission of sends (<see cref="SendGate{TSender}"/>).
/// Before Established a frame is acknowledged (<see cref="FrameAck"/>) only once it has been fully handled; sends wait
/// in a bounded queue (kamune.send-window) and go out, in order, once established.
/// It watches its connection and its handler: when the connection's writer stops the session ends at once
/// (ConnectionLost, or LocalClose while closing); when the handler stops the session closes gracefully.
/// Every failure ends this session only: <see cref="SessionClosed"/> to the handler exactly once, every accepted
/// <see cref="SendMessage"/> answered exactly once, the connection closed, the actor (so its children and keys) stopped. A
/// send is acknowledged only once the live writer took its frame (<see cref="FrameTakes{TSend}"/>); a graceful end
/// waits for the writer's answers to the sends already told to it, an abrupt one refuses those not yet taken.
/// </summary>
internal sealed partial class PeerActor : ActorBase, IWithTimers
{
    private const string HandshakeTimerKey = "handshake";
    private const string IdleTimerKey = "idle";
    private const string KeepAliveTimerKey = "keep-alive";
    private const string DeliveryOverdueTimerKey = "delivery-overdue";
    private const string TakesTimerKey = "takes";

    // A graceful end waits this long at most for the writer's answers to the sends told to it (it answers at once; a
    // writer that does not is treated as gone, and those sends are refused).
    private static readonly TimeSpan TakesAnsweredWithin = TimeSpan.FromSeconds(5);

    private readonly PeerOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IMonotonicClock _clock;
    private readonly InboundPipeline _pipeline;
    private readonly OutboundBudget _budget;
    private readonly SealBatch _seals = new();
    private readonly SendGate<IActorRef> _gate = new();
    // Sends accepted before Established, oldest first: they go out, in order, on entry to Established.
    private readonly Queue<EarlySend> _early = new();
    // Sends handed to the cipher and not yet answered, oldest first (the cipher answers in order): if the session
    // ends first, each still gets its SendRefused instead of silence.
    private readonly Queue<PendingSend> _unanswered = new();
    // Every frame told to the connection until the connection took it: a send is acknowledged only then.
    private readonly FrameTakes<WrittenSend> _takes = new();
    private IActorRef _cipher = ActorRefs.Nobody;
    private IActorRef _guard = ActorRefs.Nobody;
    // The stream stage that sent ConnectionInit: the only sender whose frames are read.
    private IActorRef? _inbound;
    private CancellationTokenSource? _verification;
    private string? _sessionId;
    private TimeSpan _lastReadAt;
    private TimeSpan _lastWrittenAt;
    private bool _connectionGone;
    private bool _handlerGone;
    // Set once CLOSE_TRANSPORT is on its way: nothing more is read, nobody is told to send again.
    private bool _closing;
    private bool _sessionDataLogged;
    private bool _finished;
    // Set by a graceful Finish while the live writer still owes answers for sends told to it (AwaitingTakes).
    private SessionEnd? _ending;

    public PeerActor(PeerOptions options)
    {
        _options = options;
        _clock = options.Monotonic ?? SystemMonotonicClock.Instance;
        _pipeline = new InboundPipeline(options.DeliveryWindow);
        _budget = new OutboundBudget(options.SendWindow);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(PeerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ActorFactory.Props(() => new PeerActor(options));
    }

    // Any child failure is a bug, not peer input: stop the child; Terminated then ends the session.
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        // The crypto runs where the session runs (kamune.dispatcher), not on the default dispatcher children get.
        var dispatcher = Context.Dispatcher.Id;
        _cipher = Context.ActorOf(
            CipherActor.Props(_options.Role, _options.LocalIdentity, _options.LocalName, _options.AppVersion, _options.Clock, _options.Random)
                .WithDispatcher(dispatcher),
            "cipher");
        _guard = Context.ActorOf(ReplayGuardActor.Props().WithDispatcher(dispatcher), "replay-guard");
        Context.Watch(_cipher);
        Context.Watch(_guard);
        // Nothing of the session outlives its connection, and nothing keeps running for a handler that is gone.
        Context.Watch(_options.Connection);
        Context.Watch(_options.Handler);

        // Go bounds the whole handshake with one deadline (30 s by default); so do we, until Established.
        Timers.StartSingleTimer(HandshakeTimerKey, HandshakeTimedOut.Instance, _options.HandshakeTimeout);
        _options.HandshakeTimerWatcher?.Tell(new HandshakeTimerArmed(Self, _options.HandshakeTimeout));
        _lastWrittenAt = _clock.Elapsed;
        NoteRead();
        BecomeExchange();
    }

    protected override void PostStop()
    {
        _verification?.Cancel();
        _verification?.Dispose();
        if (!_finished || _ending is not null)
        {
            // Stopped from outside (PoisonPill, parent, system shutdown), perhaps while a graceful finish waited for
            // the writer: every accepted send and the handler still hear exactly once. A send whose frame the writer
            // has not confirmed is refused, though the frame may still go out: it was never acknowledged.
            _finished = true;
            Conclude(
                _ending ?? new SessionEnd(CloseReason.LocalClose, null, "Session actor stopped.", Abort: true),
                "Session actor stopped before the message was written.");
        }

        base.PostStop();
    }

    protected override bool Receive(object message) => false;

    // ---- Exchange: raw frames until the tunnel exists (protocol.md step 1) -------------------------------------

    private void BecomeExchange()
    {
        Context.Become(Exchange());
        if (_options.Role == SessionRole.Initiator)
        {
            _cipher.Tell(StartExchange.Instance);
        }
    }

    private Receive Exchange() => message =>
    {
        switch (message)
        {
            case FrameReceived frame when FromConnection:
                OnFrame(frame, payload => _cipher.Tell(new ExchangeFrame(payload)));
                return true;
            case ExchangeProgress progress:
                Write(progress.Frames);
                AckInbound();
                if (progress.TunnelReady)
                {
                    BecomeIntroduction();
                }

                return true;
            default:
                return BeforeEstablished(message, SessionPhase.Exchange);
        }
    };

    // ---- Introduction: Introduce both ways, then the verifier (protocol.md step 2) -------------------------------

    private void BecomeIntroduction()
    {
        Context.Become(Introduction(null));
        if (_options.Role == SessionRole.Initiator)
        {
            _cipher.Tell(SealIntroduce.Instance);
        }
    }

    private Receive Introduction(RemotePeer? awaitingVerdict) => message =>
    {
        switch (message)
        {
            case FrameReceived frame when awaitingVerdict is null && FromConnection:
                OnFrame(frame, payload => _cipher.Tell(new OpenIntroduce(payload)));
                return true;
            case IntroduceOpened opened when awaitingVerdict is null:
                var peer = new RemotePeer(
                    opened.Introduction.Identity, opened.Introduction.Name, opened.Introduction.AppVersion, _options.RemoteAddress);
                if (opened.Introduction.Version.Decision == VersionDecision.AcceptWithWarning)
                {
                    _log.Warning("Peer version accepted with a warning: {VersionReason}", opened.Introduction.Version.Reason);
                }

                StartVerification(peer);
                Context.Become(Introduction(peer));
                return true;
            case VerificationCompleted { Verdict: IdentityVerdict.Rejected rejected }:
                Finish(CloseReason.Rejected, KamuneError.IdentityRejected, rejected.Reason, abort: false);
                return true;
            case VerificationCompleted when awaitingVerdict is not null:
                AckInbound();
                // The responder answers with its own Introduce only once it accepted the initiator's (Go server.go).
                _cipher.Tell(_options.Role == SessionRole.Responder ? SealIntroduce.Instance : StartHandshake.Instance);
                Context.Become(Handshake(awaitingVerdict));
                return true;
            default:
                return BeforeEstablished(message, SessionPhase.Introduction);
        }
    };

    private void StartVerification(RemotePeer peer)
    {
        _verification = new CancellationTokenSource();
        Task<IdentityVerdict> verdict;
        try
        {
            verdict = _options.Verifier.VerifyAsync(peer, _verification.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            verdict = Task.FromException<IdentityVerdict>(e);
        }

        // The verdict comes back as a message: state changes only ever happen on this actor's thread.
        verdict.PipeTo(
            Self,
            success: v => new VerificationCompleted(v ?? IdentityVerdict.Reject("Verifier returned no verdict.")),
            failure: e => new VerificationCompleted(IdentityVerdict.Reject($"Verifier failed: {e.GetBaseException().Message}")));
    }

    // ---- Handshake: ML-KEM request and accept (protocol.md step 3) ------------------------------------------------

    private Receive Handshake(RemotePeer peer) => message =>
    {
        switch (message)
        {
            case FrameReceived frame when FromConnection:
                OnFrame(frame, payload => _cipher.Tell(new HandshakeFrame(payload)));
                return true;
            case HandshakeCompleted completed:
                _sessionId = completed.SessionId;
                Write(completed.Frames);
                AckInbound();
                Context.Become(Challenge(peer, completed.SessionId));
                return true;
            default:
                return BeforeEstablished(message, SessionPhase.Handshake);
        }
    };

    // ---- Challenge: tokens echoed under the session cipher, inside the tunnel (protocol.md step 4) ----------------

    private Receive Challenge(RemotePeer peer, string sessionId) => message =>
    {
        switch (message)
        {
            case ChallengeProgress progress:
                Write(progress.Frames);
                AckInbound();
                if (progress.Completed)
                {
                    BecomeEstablished(peer, sessionId);
                }

                return true;
            case FrameReceived frame when FromConnection:
                OnFrame(frame, payload => _cipher.Tell(new OpenFrames([payload], _guard)));
                return true;
            case SequencesAccepted accepted:
                foreach (var inbound in accepted.Messages)
                {
                    _cipher.Tell(new ContinueChallenge(inbound));
                }

                return true;
            default:
                return BeforeEstablished(message, SessionPhase.Challenge);
        }
    };

    // Before Established: sends wait in the bounded early queue, a close needs no goodbye, the cipher's own frames go out.
    private bool BeforeEstablished(object message, SessionPhase phase)
    {
        switch (message)
        {
            case SendMessage send:
                OnSend(send, established: false);
                return true;
            case CloseSession:
                Finish(CloseReason.LocalClose, null, $"Closed by this side during {phase}, before the session was established.", abort: false);
                return true;
            case EvictHandshake evicted:
                Finish(CloseReason.LocalClose, KamuneError.HandshakeEvicted, evicted.Detail, abort: true);
                return true;
            case Terminated terminated when terminated.ActorRef.Equals(_options.Handler):
                _handlerGone = true;
                Finish(CloseReason.LocalClose, null, $"The handler stopped during {phase}, before the session was established.", abort: false);
                return true;
            case FramesReady ready:
                Write(ready.Frames);
                return true;
            default:
                return Common(message, phase);
        }
    }

    private sealed record VerificationCompleted(IdentityVerdict Verdict) : IRuntimeMessage;
}

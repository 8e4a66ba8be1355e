using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Actors.Runtime;

/// <summary>
/// One connection, one session, in either role. A behaviour per phase — Exchange, Introduction, Handshake, Challenge,
/// Established, Closing — each a method over the state it needs; transitions go through one BecomeX helper that
/// does the entry work. The crypto runs in the <see cref="CipherActor"/> child, the receive sequence in the
/// <see cref="ReplayGuardActor"/> child; this actor coordinates, times and reports.
/// Inbound back-pressure: before Established a frame is acknowledged (<see cref="FrameAck"/>) only once it has been
/// fully handled. Once Established, up to <see cref="InboundPipelineDepth"/> frames are acknowledged while earlier
/// ones are still being opened, so decryption, verification and the sequence check overlap the socket reads;
/// order holds because one CipherActor decrypts them in arrival order and numbers the runs whose signatures it has
/// verified in parallel (<see cref="VerifyEnvelopes"/>), and one ReplayGuardActor judges the runs in that order. Established frames and
/// sends travel in batches (<see cref="FramesAck"/>, <see cref="OpenFrames"/>, <see cref="SealMessages"/>): a burst
/// costs one message per actor hop, not one per frame.
/// Every failure ends this session only: <see cref="SessionClosed"/> to the handler exactly once, the connection
/// closed, the actor (and so its children and their keys) stopped.
/// </summary>
public sealed class PeerActor : ActorBase, IWithTimers, IWithUnboundedStash
{
    private const string HandshakeTimerKey = "handshake";
    private const string IdleTimerKey = "idle";
    private const string KeepAliveTimerKey = "keep-alive";

    // Established frames in the CipherActor/ReplayGuardActor pipeline or opened but held for a slow handler. Enough
    // to hide the actor hops behind one open + verify; small enough that a session buffers at most 16 frames.
    private const int InboundPipelineDepth = 16;

    private readonly PeerOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _cipher = ActorRefs.Nobody;
    private IActorRef _guard = ActorRefs.Nobody;
    private IActorRef _inbound = ActorRefs.Nobody;
    private CancellationTokenSource? _verification;
    private string? _sessionId;
    private int _unconfirmedWrites;
    // Sends accepted but not yet answered, oldest first (the cipher answers in order): if the session ends first,
    // each still gets its SendRefused instead of silence.
    private readonly Queue<PendingSend> _unanswered = new();
    private int _stashedSends;
    private int _undelivered;
    private int _opening;
    private bool _frameOwed;
    private readonly Queue<InboundMessage> _ready = new();
    private List<SealMessage> _sealBatch = new();
    private bool _flushPending;
    private DateTimeOffset _lastFrameAt;
    private object? _connectionEnd;
    private bool _finished;

    public PeerActor(PeerOptions options)
    {
        _options = options;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

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
        _cipher = Context.ActorOf(
            CipherActor.Props(_options.Role, _options.LocalIdentity, _options.LocalName, _options.AppVersion, _options.Clock, _options.Random),
            "cipher");
        _guard = Context.ActorOf(ReplayGuardActor.Props(), "replay-guard");
        Context.Watch(_cipher);
        Context.Watch(_guard);

        // Go bounds the whole handshake with one deadline (30 s by default); so do we, until Established.
        Timers.StartSingleTimer(HandshakeTimerKey, HandshakeTimedOut.Instance, _options.HandshakeTimeout);
        NoteInboundActivity();
        BecomeExchange();
    }

    protected override void PostStop()
    {
        _verification?.Cancel();
        _verification?.Dispose();
        if (!_finished)
        {
            // Stopped from outside (parent, system shutdown): the handler still hears exactly one SessionClosed.
            _finished = true;
            _options.Handler.Tell(new SessionClosed(
                Self, _sessionId, CloseReason.LocalClose, null, "Session actor stopped.", _options.RemoteAddress));
            _options.Connection.Tell(new CloseConnection(true));
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
            case FrameReceived frame:
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
            case FrameReceived frame when awaitingVerdict is null:
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
            case FrameReceived frame:
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
            case FrameReceived frame:
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

    // ---- Established: application messages, PING/PONG, CLOSE_TRANSPORT (protocol.md step 5) ---------------------

    private void BecomeEstablished(RemotePeer peer, string sessionId)
    {
        Timers.Cancel(HandshakeTimerKey);
        if (_options.KeepAliveInterval is { } interval)
        {
            Timers.StartPeriodicTimer(KeepAliveTimerKey, KeepAliveTick.Instance, interval);
        }

        Context.Become(Established(sessionId));
        // The manager (our parent) stops counting this connection against kamune.max-concurrent-handshakes.
        Context.Parent.Tell(PeerEstablished.Instance);
        _log.Info("Session {SessionId} established with {PeerName} ({PeerFingerprint})", sessionId, peer.Name, peer.Fingerprint);
        _options.Handler.Tell(new SessionEstablished(Self, sessionId, peer, _options.Role));
        _stashedSends = 0;
        Stash.UnstashAll();
    }

    private Receive Established(string sessionId) => message =>
    {
        switch (message)
        {
            case Send send:
                OnSend(send);
                return true;
            case KeepAliveTick:
                // Sequence numbers follow the order seals reach the cipher: queued sends go first.
                FlushSeals();
                _cipher.Tell(SealPing.Instance);
                return true;
            case DeliveryAck:
                OnDeliveryAck(sessionId);
                return true;
            case CloseSession:
                // Sends queued before the close go out before it (protocol.md step 5: nothing after CLOSE_TRANSPORT).
                QueueSeal(new SealMessage(Route.CloseTransport, ReadOnlyMemory<byte>.Empty, CloseMarker.Instance));
                FlushSeals();
                Context.Become(Closing());
                return true;
            case FrameReceived frame:
                OnEstablishedFrames([frame.Payload]);
                return true;
            case FramesReceived frames:
                OnEstablishedFrames(frames.Payloads);
                return true;
            case SequencesAccepted accepted:
                _opening -= accepted.Messages.Count;
                foreach (var inbound in accepted.Messages)
                {
                    if (_finished)
                    {
                        break;
                    }

                    if (_ready.Count > 0 || HandlerBehind)
                    {
                        _ready.Enqueue(inbound);
                    }
                    else
                    {
                        OnEstablishedMessage(sessionId, inbound);
                    }
                }

                AckInboundWithinPipeline();
                EndConnectionAfterPipeline();
                return true;
            case ConnectionCompleted or ConnectionFailed when _opening + _ready.Count > 0:
                // The frames read before the end are handled first: CLOSE_TRANSPORT then FIN reads as "peer closed".
                _connectionEnd ??= message;
                return true;
            default:
                return OnSealAnswer(message) || Common(message, SessionPhase.Established);
        }
    };

    // Decrypt and verify (CipherActor), judge the sequence (ReplayGuardActor), back here in order: a burst of frames
    // travels as one message per hop.
    private void OnEstablishedFrames(IReadOnlyList<ByteString> payloads)
    {
        _inbound = Sender;
        NoteInboundActivity();
        foreach (var payload in payloads)
        {
            if (!FrameWithinLimit(payload))
            {
                return;
            }
        }

        _opening += payloads.Count;
        _frameOwed = true;
        _cipher.Tell(new OpenFrames(payloads, _guard));
        AckInboundWithinPipeline();
    }

    private bool HandlerBehind => _options.DeliveryWindow > 0 && _undelivered >= _options.DeliveryWindow;

    // The next frame is read while fewer than InboundPipelineDepth are in flight or held, and never while the handler
    // is behind (delivery-window): then TCP pushes back on the peer (OnDeliveryAck resumes).
    private void AckInboundWithinPipeline()
    {
        if (_frameOwed && !_finished && !HandlerBehind && _opening + _ready.Count < InboundPipelineDepth)
        {
            _frameOwed = false;
            _inbound.Tell(FramesAck.Instance);
        }
    }

    private void EndConnectionAfterPipeline()
    {
        if (_connectionEnd is { } end && _opening + _ready.Count == 0 && !_finished)
        {
            Common(end, SessionPhase.Established);
        }
    }

    private void OnEstablishedMessage(string sessionId, InboundMessage inbound)
    {
        if (!RoutePolicy.IsAllowedWhenEstablished(inbound.Route))
        {
            var detail = $"{SessionPhase.Established}: expected route ExchangeMessages, CloseTransport, Ping or Pong, got {inbound.Route}.";
            Finish(CloseReason.ProtocolError, KamuneError.UnexpectedRoute, detail, abort: true);
            return;
        }

        switch (inbound.Route)
        {
            case Route.ExchangeMessages:
                _options.Handler.Tell(new MessageReceived(Self, sessionId, inbound.Value, inbound.Sequence, inbound.Timestamp));
                if (_options.DeliveryWindow > 0)
                {
                    _undelivered++;
                }

                break;
            case Route.Ping:
                QueueSeal(new SealMessage(Route.Pong, inbound.Value, null));
                FlushSeals();
                break;
            case Route.CloseTransport:
                Finish(CloseReason.PeerClosed, KamuneError.PeerDisconnected, "The peer sent CLOSE_TRANSPORT.", abort: false);
                return;
        }

        // A PONG needs nothing beyond the idle timer the frame already restarted.
    }

    private void OnDeliveryAck(string sessionId)
    {
        if (_options.DeliveryWindow == 0)
        {
            return;
        }

        _undelivered = Math.Max(0, _undelivered - 1);
        // Messages opened while the handler was behind go out first, in order, before the socket is read again.
        while (_ready.Count > 0 && !HandlerBehind && !_finished)
        {
            OnEstablishedMessage(sessionId, _ready.Dequeue());
        }

        AckInboundWithinPipeline();
        EndConnectionAfterPipeline();
    }

    private void OnSend(Send send)
    {
        if (send.Data.Length > SessionTransport.MaxPayload)
        {
            Sender.Tell(new SendRefused(
                $"Message too large: expected at most {SessionTransport.MaxPayload} bytes, got {send.Data.Length}.", send.CorrelationId));
            return;
        }

        if (_unconfirmedWrites + _unanswered.Count >= _options.SendWindow)
        {
            Sender.Tell(new SendRefused(
                $"Back-pressure: {_options.SendWindow} frames already wait for the connection; retry later.", send.CorrelationId));
            return;
        }

        var pending = new PendingSend(Sender, send.CorrelationId);
        _unanswered.Enqueue(pending);
        // Copied: the caller may reuse its buffer as soon as Tell returns.
        QueueSeal(new SealMessage(Route.ExchangeMessages, send.Data.ToArray(), pending));
        if (!_flushPending)
        {
            // The sends already in the mailbox join this one: the marker arrives after them, and then the whole batch
            // goes to the cipher as one message (one wake-up of the cipher and of this actor for the answers).
            _flushPending = true;
            Self.Tell(FlushSealsMarker.Instance);
        }
    }

    private void QueueSeal(SealMessage seal) => _sealBatch.Add(seal);

    private void FlushSeals()
    {
        switch (_sealBatch.Count)
        {
            case 0:
                return;
            case 1:
                _cipher.Tell(_sealBatch[0]);
                _sealBatch.Clear();
                return;
            default:
                _cipher.Tell(new SealMessages(_sealBatch));
                _sealBatch = new List<SealMessage>();
                return;
        }
    }

    private bool OnSealAnswer(object message)
    {
        switch (message)
        {
            case FlushSealsMarker:
                _flushPending = false;
                FlushSeals();
                return true;
            case SealedBatch batch:
                foreach (var answer in batch.Answers)
                {
                    if (_finished)
                    {
                        break;
                    }

                    OnSealAnswer(answer);
                }

                return true;
            case Sealed { Tag: CloseMarker } close:
                Write(close.Frame);
                Finish(CloseReason.LocalClose, null, "Closed by this side.", abort: false);
                return true;
            case Sealed { Tag: PendingSend pending } sealedSend:
                _unanswered.Dequeue();
                Write(sealedSend.Frame);
                pending.ReplyTo.Tell(new SendAck(sealedSend.Sequence, pending.CorrelationId));
                return true;
            case Sealed { Tag: null } sealedControl:
                Write(sealedControl.Frame);
                return true;
            case SealRefused { Tag: PendingSend pending } refused:
                _unanswered.Dequeue();
                pending.ReplyTo.Tell(new SendRefused(refused.Reason, pending.CorrelationId));
                return true;
            default:
                return false;
        }
    }

    // ---- Closing: CLOSE_TRANSPORT is being sealed; then the connection closes (protocol.md step 5) ----------------

    private Receive Closing() => message =>
    {
        switch (message)
        {
            case Send send:
                Sender.Tell(new SendRefused("Session is closing.", send.CorrelationId));
                return true;
            case ConnectionCompleted or ConnectionFailed:
                // The goodbye was under way; losing the socket now does not change why the session ended.
                Finish(CloseReason.LocalClose, null, "Closed by this side; the connection ended before CLOSE_TRANSPORT was written.", abort: true);
                return true;
            case FrameReceived or FramesReceived or SequencesAccepted or KeepAliveTick or CloseSession or DeliveryAck:
                // Nothing more is read once this side said goodbye; the frame stays unacknowledged.
                return true;
            default:
                return OnSealAnswer(message) || Common(message, SessionPhase.Established);
        }
    };

    // ---- Shared handling ---------------------------------------------------------------------------------------

    private bool BeforeEstablished(object message, SessionPhase phase)
    {
        switch (message)
        {
            case Send when _stashedSends < _options.SendWindow:
                _stashedSends++;
                Stash.Stash();
                return true;
            case Send send:
                Sender.Tell(new SendRefused(
                    $"Session not established yet and {_stashedSends} sends already wait for it.", send.CorrelationId));
                return true;
            case CloseSession:
                Finish(CloseReason.LocalClose, null, $"Closed by this side during {phase}, before the session was established.", abort: false);
                return true;
            case EvictHandshake evicted:
                Finish(CloseReason.LocalClose, KamuneError.HandshakeEvicted, evicted.Detail, abort: true);
                return true;
            case FramesReady ready:
                Write(ready.Frames);
                return true;
            default:
                return Common(message, phase);
        }
    }

    private bool Common(object message, SessionPhase phase)
    {
        switch (message)
        {
            case ConnectionInit:
                _inbound = Sender;
                Sender.Tell(FrameAck.Instance);
                return true;
            case FrameWritten:
                _unconfirmedWrites = Math.Max(0, _unconfirmedWrites - 1);
                return true;
            case CipherFailed failed:
                Finish(CloseReason.ProtocolError, failed.Error, failed.Detail, abort: true);
                return true;
            case OutOfSync outOfSync:
                Finish(CloseReason.ProtocolError, KamuneError.OutOfSync, ReceiveSequence.Describe(outOfSync.Expected, outOfSync.Got), abort: true);
                return true;
            case ConnectionCompleted:
                Finish(CloseReason.ConnectionLost, KamuneError.ConnectionLost, Ended(phase, "the connection ended without CLOSE_TRANSPORT"), abort: false);
                return true;
            case ConnectionFailed { Cause: KamuneProtocolException framing }:
                Finish(CloseReason.ProtocolError, framing.Error, framing.Message, abort: true);
                return true;
            case ConnectionFailed failed:
                Finish(CloseReason.ConnectionLost, KamuneError.ConnectionLost, Ended(phase, $"the connection failed ({failed.Cause.Message})"), abort: true);
                return true;
            case HandshakeTimedOut:
                Finish(
                    CloseReason.Timeout,
                    KamuneError.HandshakeTimeout,
                    $"Handshake: expected Established within {_options.HandshakeTimeout}, got stuck in {phase}.",
                    abort: true);
                return true;
            case IdleTimedOut when IdleTimeLeft() is { } left:
                // A frame came since the timer was set: wait out the rest from that frame.
                Timers.StartSingleTimer(IdleTimerKey, IdleTimedOut.Instance, left);
                return true;
            case IdleTimedOut:
                Finish(CloseReason.Timeout, KamuneError.IdleTimeout, $"{phase}: expected a frame within {_options.IdleTimeout}, got none.", abort: true);
                return true;
            case Terminated terminated:
                Finish(CloseReason.ProtocolError, null, $"{phase}: internal failure, {terminated.ActorRef.Path.Name} stopped.", abort: true);
                return true;
            default:
                return false;
        }
    }

    private void OnFrame(FrameReceived frame, Action<ByteString> handle)
    {
        _inbound = Sender;
        NoteInboundActivity();
        if (FrameWithinLimit(frame.Payload))
        {
            handle(frame.Payload);
        }
    }

    private bool FrameWithinLimit(ByteString payload)
    {
        if (payload.Count <= _options.MaxFrameLength)
        {
            return true;
        }

        Finish(
            CloseReason.ProtocolError,
            KamuneError.FrameTooLarge,
            $"Frame: expected at most {_options.MaxFrameLength} bytes, got {payload.Count}.",
            abort: true);
        return false;
    }

    private void AckInbound() => _inbound.Tell(FrameAck.Instance);

    private void Write(IReadOnlyList<ByteString> frames)
    {
        foreach (var frame in frames)
        {
            Write(frame);
        }
    }

    private void Write(ByteString frame)
    {
        _unconfirmedWrites++;
        _options.Connection.Tell(new WriteFrame(frame));
    }

    // The timer is set once per idle-timeout, not per frame: a frame only notes the time (on the scheduler's clock, so
    // a test scheduler drives it), and a timer that fires early is set again for what is left.
    private void NoteInboundActivity()
    {
        if (_options.IdleTimeout <= TimeSpan.Zero)
        {
            return;
        }

        _lastFrameAt = Context.System.Scheduler.Now;
        if (!Timers.IsTimerActive(IdleTimerKey))
        {
            Timers.StartSingleTimer(IdleTimerKey, IdleTimedOut.Instance, _options.IdleTimeout);
        }
    }

    private TimeSpan? IdleTimeLeft()
    {
        var left = _lastFrameAt + _options.IdleTimeout - Context.System.Scheduler.Now;
        return left > TimeSpan.Zero ? left : null;
    }

    // A listener that refuses a connection (a per-address or handshake limit) closes it without a word: the protocol
    // has no refusal before the exchange. The dialer can only say what that most likely was.
    private string Ended(SessionPhase phase, string what) =>
        phase == SessionPhase.Exchange && _options.Role == SessionRole.Initiator
            ? $"{phase}: {what} before the key exchange finished: the listener may refuse connections beyond a limit "
              + "(kamune.max-connections-per-address, kamune.max-concurrent-handshakes) or not speak Kamune."
            : $"{phase}: {what}.";

    private void Finish(CloseReason reason, KamuneError? error, string detail, bool abort)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        Timers.CancelAll();
        _verification?.Cancel();
        foreach (var envelope in Stash.ClearStash())
        {
            if (envelope.Message is Send send)
            {
                envelope.Sender.Tell(new SendRefused($"Session closed ({reason}).", send.CorrelationId));
            }
        }

        while (_unanswered.TryDequeue(out var unsent))
        {
            unsent.ReplyTo.Tell(new SendRefused($"Session closed ({reason}) before the message was written.", unsent.CorrelationId));
        }

        if (reason is CloseReason.ProtocolError or CloseReason.Timeout or CloseReason.Rejected)
        {
            _log.Warning("Session {SessionId} ended: {CloseReason} {KamuneError}: {Detail}", _sessionId ?? "(none yet)", reason, error, detail);
        }
        else
        {
            _log.Info("Session {SessionId} ended: {CloseReason}", _sessionId ?? "(none yet)", reason);
        }

        _options.Handler.Tell(new SessionClosed(Self, _sessionId, reason, error, detail, _options.RemoteAddress));
        _options.Connection.Tell(new CloseConnection(abort));
        Context.Become(Stopped());
        Context.Stop(Self);
    }

    private Receive Stopped() => message =>
    {
        if (message is Send send)
        {
            Sender.Tell(new SendRefused("Session closed.", send.CorrelationId));
        }

        return true;
    };

    private sealed record PendingSend(IActorRef ReplyTo, object? CorrelationId);

    private sealed record VerificationCompleted(IdentityVerdict Verdict);

    private sealed class FlushSealsMarker
    {
        public static readonly FlushSealsMarker Instance = new();
    }

    private sealed class CloseMarker
    {
        public static readonly CloseMarker Instance = new();
    }

    private sealed class HandshakeTimedOut
    {
        public static readonly HandshakeTimedOut Instance = new();
    }

    private sealed class IdleTimedOut
    {
        public static readonly IdleTimedOut Instance = new();
    }

    private sealed class KeepAliveTick
    {
        public static readonly KeepAliveTick Instance = new();
    }
}

using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Actors.Runtime;

// Established and Closing (protocol.md step 5): application messages, PING/PONG, SESSION_DATA, CLOSE_TRANSPORT.
// Frames travel in batches (FramesAck, OpenFrames, SealMessages): a burst costs one message per actor hop. Up to
// InboundPipeline.Depth frames are read ahead while earlier ones are still being opened, so decryption, verification
// and the sequence check overlap the socket reads; order holds because one CipherActor decrypts them in arrival order
// and numbers the runs it has verified in parallel (VerifyEnvelopes), and one ReplayGuardActor judges them in order.
internal sealed partial class PeerActor
{
    // A handler this long behind on DeliveryAck is told about in the log: the session reads nothing meanwhile.
    private static readonly TimeSpan DeliveryOverdueAfter = TimeSpan.FromSeconds(10);

    private void BecomeEstablished(RemotePeer peer, string sessionId)
    {
        Timers.Cancel(HandshakeTimerKey);
        if (_options.KeepAliveInterval is { } interval)
        {
            Timers.StartPeriodicTimer(KeepAliveTimerKey, KeepAliveTick.Instance, interval);
        }

        Context.Become(Established(sessionId));
        // The manager (our parent) stops counting this connection against kamune.max-concurrent-handshakes; any
        // other parent would only see a message it does not know.
        if (_options.ParentIsManager)
        {
            Context.Parent.Tell(PeerEstablished.Instance);
        }

        _log.Info("Session {SessionId} established with {PeerName} ({PeerFingerprint})", sessionId, peer.Name, peer.Fingerprint);
        _options.Handler.Tell(new SessionEstablished(Self, sessionId, peer, _options.Role));

        // The sends that waited go first, in the order they came (the budget admits them all: they were accepted).
        while (_early.TryDequeue(out var early))
        {
            QueueSend(early.Pending, early.Data);
        }

        TellReopened();
    }

    private Receive Established(string sessionId) => message =>
    {
        switch (message)
        {
            case SendMessage send:
                OnSend(send, established: true);
                return true;
            case FramesReceived frames when FromConnection:
                OnEstablishedFrames(frames.Payloads);
                return true;
            case FrameReceived frame when FromConnection:
                OnEstablishedFrames([frame.Payload]);
                return true;
            case SequencesAccepted accepted:
                foreach (var inbound in accepted.Messages)
                {
                    if (_finished)
                    {
                        break;
                    }

                    if (_pipeline.Opened(inbound))
                    {
                        OnEstablishedMessage(sessionId, inbound);
                    }
                }

                AfterInboundProgress();
                return true;
            case DeliveryAck:
                OnDeliveryAck(sessionId);
                return true;
            case KeepAliveTick:
                OnKeepAliveTick();
                return true;
            case DeliveryOverdue when _pipeline.HandlerBehind:
                _log.Warning(
                    "Session {SessionId}: the handler has not answered {Undelivered} deliveries with DeliveryAck for {Overdue}; "
                    + "the session reads nothing from its peer until it does (kamune.delivery-window)",
                    sessionId, _pipeline.Undelivered, DeliveryOverdueAfter);
                return true;
            case DeliveryOverdue:
                return true;
            case CloseSession:
                BeginClose("Closed by this side.");
                return true;
            case Terminated terminated when terminated.ActorRef.Equals(_options.Handler):
                _handlerGone = true;
                BeginClose("The handler stopped; the session closed gracefully.");
                return true;
            case ConnectionCompleted or ConnectionFailed when FromConnection && !FromWriter && !_pipeline.Ended(message):
                // The frames read before the end are handled first: CLOSE_TRANSPORT then FIN reads as "peer closed".
                // A failure the writer reports (the peer does not read) ends the session at once; a stranger's, never.
                return true;
            default:
                return OnSealAnswer(message) || Common(message, SessionPhase.Established);
        }
    };

    // Decrypt and verify (CipherActor), judge the sequence (ReplayGuardActor), back here in order.
    private void OnEstablishedFrames(IReadOnlyList<ByteString> payloads)
    {
        NoteRead();
        foreach (var payload in payloads)
        {
            if (!FrameWithinLimit(payload))
            {
                return;
            }
        }

        _pipeline.Read(payloads.Count);
        _cipher.Tell(new OpenFrames(payloads, _guard));
        AskForRead();
    }

    private void OnEstablishedMessage(string sessionId, InboundMessage inbound)
    {
        if (!RoutePolicy.IsAllowedWhenEstablished(inbound.Route))
        {
            var detail = $"{SessionPhase.Established}: expected route ExchangeMessages, CloseTransport, Ping, Pong or SessionData, got {inbound.Route}.";
            Finish(CloseReason.ProtocolError, KamuneError.UnexpectedRoute, detail, abort: true);
            return;
        }

        switch (inbound.Route)
        {
            case Route.ExchangeMessages:
                _options.Handler.Tell(new MessageReceived(Self, sessionId, inbound.Value, inbound.Sequence, inbound.Timestamp));
                _pipeline.Delivered();
                if (_pipeline.HandlerBehind && !Timers.IsTimerActive(DeliveryOverdueTimerKey))
                {
                    Timers.StartSingleTimer(DeliveryOverdueTimerKey, DeliveryOverdue.Instance, DeliveryOverdueAfter);
                }

                break;
            case Route.Ping:
                // The answer the peer asked for: never refused, but while it cannot be written nothing more is read.
                _budget.Sealing(reply: true);
                _seals.Append(new SealMessage(Route.Pong, inbound.Value, null));
                FlushSeals();
                break;
            case Route.SessionData when !_sessionDataLogged:
                // Go's relay client sends session metadata (SPEC.md 5.2) that a Kamune.NET node has no use for; the spec
                // says unknown fields are ignored, so the session goes on. Its sequence number was checked like any other.
                _sessionDataLogged = true;
                _log.Info("Session {SessionId}: SESSION_DATA from the peer ignored (no session metadata is supported); later ones are ignored silently", sessionId);
                break;
            case Route.CloseTransport:
                Finish(CloseReason.PeerClosed, KamuneError.PeerDisconnected, "The peer sent CLOSE_TRANSPORT.", abort: false);
                return;
        }

        // A PONG needs nothing beyond the idle accounting its frame already did.
    }

    private void OnDeliveryAck(string sessionId)
    {
        if (!_pipeline.Acknowledged())
        {
            return;
        }

        // Messages opened while the handler was behind go out first, in order, before the socket is read again.
        while (!_finished && _pipeline.TryRelease(out var held))
        {
            OnEstablishedMessage(sessionId, held);
        }

        if (!_pipeline.HandlerBehind)
        {
            Timers.Cancel(DeliveryOverdueTimerKey);
        }

        AfterInboundProgress();
    }

    private void AfterInboundProgress()
    {
        AskForRead();
        if (!_finished && _pipeline.TakeEnd(out var end))
        {
            OnConnectionEnd(end, SessionPhase.Established, fromWriter: false);
        }
    }

    // The next frames are read only while the pipeline, the handler and the outbound budget all have room.
    private void AskForRead()
    {
        if (!_finished && !_closing && _pipeline.TakeRead(_budget.AllowsRead))
        {
            _inbound?.Tell(FramesAck.Instance);
        }
    }

    // Keep-alive pings an idle session only: one that read nothing or wrote nothing for a whole interval.
    private void OnKeepAliveTick()
    {
        var now = _clock.Elapsed;
        var interval = _options.KeepAliveInterval!.Value;
        if (now - _lastReadAt < interval && now - _lastWrittenAt < interval)
        {
            return;
        }

        // Sequence numbers follow the order seals reach the cipher: queued sends go first.
        FlushSeals();
        _budget.Sealing();
        _cipher.Tell(SealPing.Instance);
    }

    // Sends queued before the close go out before it (protocol.md step 5: nothing after CLOSE_TRANSPORT).
    private void BeginClose(string detail)
    {
        _closing = true;
        _budget.Sealing();
        _seals.Append(new SealMessage(Route.CloseTransport, ReadOnlyMemory<byte>.Empty, new CloseMarker(detail)));
        FlushSeals();
        Context.Become(Closing());
    }

    // ---- Closing: CLOSE_TRANSPORT is being sealed; then the connection closes (protocol.md step 5) ----------------

    private Receive Closing() => message =>
    {
        switch (message)
        {
            case SendMessage send:
                Refuse(Sender, SendRefusalKind.Closing, "Session is closing.", send.CorrelationId);
                return true;
            case ConnectionCompleted or ConnectionFailed when FromConnection || (message is ConnectionFailed && FromWriter):
                // The goodbye was under way; losing the socket now does not change why the session ended.
                Finish(CloseReason.LocalClose, null, "Closed by this side; the connection ended before CLOSE_TRANSPORT was written.", abort: true);
                return true;
            case Terminated terminated when terminated.ActorRef.Equals(_options.Connection):
                _connectionGone = true;
                Finish(CloseReason.LocalClose, null, "Closed by this side; the connection's writer stopped before CLOSE_TRANSPORT was written.", abort: true);
                return true;
            case Terminated terminated when terminated.ActorRef.Equals(_options.Handler):
                _handlerGone = true;
                return true;
            case FrameReceived or FramesReceived or SequencesAccepted or KeepAliveTick or CloseSession or DeliveryAck or DeliveryOverdue:
                // Nothing more is read once this side said goodbye; the frame stays unacknowledged.
                return true;
            default:
                return OnSealAnswer(message) || Common(message, SessionPhase.Established);
        }
    };

    private sealed class DeliveryOverdue : IRuntimeMessage
    {
        public static readonly DeliveryOverdue Instance = new();
    }

    private sealed class KeepAliveTick : IRuntimeMessage
    {
        public static readonly KeepAliveTick Instance = new();
    }
}

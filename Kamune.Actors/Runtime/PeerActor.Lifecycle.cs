using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Kamune.Protocol.Session;

namespace Kamune.Actors.Runtime;

// What every phase shares: the connection contract, failures, timers, and the one way a session ends (Finish).
internal sealed partial class PeerActor
{
    // Frames and the connection's end are taken only from the stream stage this session's writer named (ConnectionInit).
    private bool FromConnection => _inbound is not null && Sender.Equals(_inbound);

    // The session's own writer (PeerOptions.Connection): it names the inbound stage and reports a peer that does not read.
    private bool FromWriter => Sender.Equals(_options.Connection);

    private bool Common(object message, SessionPhase phase)
    {
        switch (message)
        {
            case ConnectionInit init when _inbound is null && FromWriter:
                _inbound = init.Inbound;
                _inbound.Tell(FrameAck.Instance);
                return true;
            case ConnectionInit:
            case FrameReceived or FramesReceived or ConnectionCompleted when !FromConnection:
            case ConnectionFailed when !FromConnection && !FromWriter:
                // Anyone holding a session reference could inject frames, take the stream's acknowledgements or end the
                // session (ConnectionMessages.cs says who may send what).
                _log.Warning(
                    "Session {SessionId}: {Message} from {Sender}, not from this session's connection; dropped",
                    _sessionId ?? "(none yet)", message.GetType().Name, Sender.Path);
                return true;
            case ConnectionCompleted or ConnectionFailed:
                OnConnectionEnd(message, phase, FromWriter);
                return true;
            case FrameWritten or FrameHeld or FrameDropped when FromWriter:
                OnFrameTaken(message, phase);
                return true;
            case CipherFailed failed:
                Finish(CloseReason.ProtocolError, failed.Error, failed.Detail, abort: true);
                return true;
            case OutOfSync outOfSync:
                Finish(CloseReason.ProtocolError, KamuneError.OutOfSync, ReceiveSequence.Describe(outOfSync.Expected, outOfSync.Got), abort: true);
                return true;
            case Terminated terminated when terminated.ActorRef.Equals(_options.Connection):
                // The writer is gone (a crash, or stopped at a shutdown deadline): nothing more can be written, so
                // nothing more may be acknowledged; the session ends now, not at the idle timeout.
                _connectionGone = true;
                Finish(CloseReason.ConnectionLost, KamuneError.ConnectionLost, Ended(phase, "the connection's writer stopped"), abort: true);
                return true;
            case Terminated terminated when terminated.ActorRef.Equals(_cipher) || terminated.ActorRef.Equals(_guard):
                Finish(CloseReason.ProtocolError, null, $"{phase}: internal failure, {terminated.ActorRef.Path.Name} stopped.", abort: true);
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
            default:
                return false;
        }
    }

    // The connection ended (from its inbound stage, or a failure its writer reports), now or replayed by the pipeline.
    private void OnConnectionEnd(object end, SessionPhase phase, bool fromWriter)
    {
        switch (end)
        {
            case ConnectionFailed { Cause: KamuneProtocolException { Error: KamuneError.PeerNotReading } typed } when fromWriter:
                // The writer gave up on the peer (it did not read within kamune.write-timeout): a timeout of its kind.
                Finish(CloseReason.Timeout, typed.Error, typed.Message, abort: true);
                return;
            case ConnectionFailed { Cause: KamuneProtocolException typed }:
                // The inbound stream's framing failed (FrameTooLarge, FrameTruncated): the peer broke the protocol.
                Finish(CloseReason.ProtocolError, typed.Error, typed.Message, abort: true);
                return;
            case ConnectionFailed failed:
                Finish(CloseReason.ConnectionLost, KamuneError.ConnectionLost, Ended(phase, $"the connection failed ({failed.Cause.Message})"), abort: true);
                return;
            default:
                Finish(CloseReason.ConnectionLost, KamuneError.ConnectionLost, Ended(phase, "the connection ended without CLOSE_TRANSPORT"), abort: false);
                return;
        }
    }

    private void OnFrame(FrameReceived frame, Action<ByteString> handle)
    {
        NoteRead();
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

    private void AckInbound() => _inbound?.Tell(FrameAck.Instance);

    // The idle timer is set once per idle-timeout, not per frame: a frame only notes the time (on the monotonic clock,
    // so a wall-clock step cannot end sessions, and a test drives it with virtual time), and a timer that fires early
    // is set again for what is left.
    private void NoteRead()
    {
        _lastReadAt = _clock.Elapsed;
        if (_options.IdleTimeout > TimeSpan.Zero && !Timers.IsTimerActive(IdleTimerKey))
        {
            Timers.StartSingleTimer(IdleTimerKey, IdleTimedOut.Instance, _options.IdleTimeout);
        }
    }

    private TimeSpan? IdleTimeLeft()
    {
        var left = _lastReadAt + _options.IdleTimeout - _clock.Elapsed;
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
        if (reason is CloseReason.ProtocolError or CloseReason.Timeout or CloseReason.Rejected)
        {
            _log.Warning("Session {SessionId} ended: {CloseReason} {KamuneError}: {Detail}", _sessionId ?? "(none yet)", reason, error, detail);
        }
        else
        {
            _log.Info("Session {SessionId} ended: {CloseReason}", _sessionId ?? "(none yet)", reason);
        }

        var end = new SessionEnd(reason, error, detail, abort);
        if (!abort && !_connectionGone && _takes.HasUntakenSends)
        {
            // A graceful end with sends told to a live writer that has not answered yet: it answers each WriteFrame at
            // once, in order, before the CloseConnection told after them, so waiting one round trip tells which of
            // them it took (acknowledged) or dropped (refused) instead of refusing frames that do go out.
            _ending = end;
            Timers.StartSingleTimer(TakesTimerKey, TakesOverdue.Instance, TakesAnsweredWithin);
            Context.Become(AwaitingTakes());
            return;
        }

        Complete(end);
    }

    // The writer owes answers for sends told to it; nothing else is read, sent or reopened meanwhile.
    private Receive AwaitingTakes() => message =>
    {
        switch (message)
        {
            case FrameWritten or FrameHeld or FrameDropped when Sender.Equals(_options.Connection):
                OnFrameTaken(message, SessionPhase.Established);
                if (!_takes.HasUntakenSends)
                {
                    Complete(_ending!);
                }

                return true;
            case Terminated terminated when terminated.ActorRef.Equals(_options.Connection):
                _connectionGone = true;
                Complete(_ending!);
                return true;
            case Terminated terminated when terminated.ActorRef.Equals(_options.Handler):
                _handlerGone = true;
                return true;
            case TakesOverdue:
                Complete(_ending!);
                return true;
            default:
                return Stopped()(message);
        }
    };

    private void Complete(SessionEnd end)
    {
        Timers.CancelAll();
        Conclude(end, $"Session closed ({end.Reason}) before the message was written.");
        Context.Become(Stopped());
        Context.Stop(Self);
    }

    // The session's last words: every accepted send not answered yet is refused, the handler told why, the connection closed.
    private void Conclude(SessionEnd end, string refusal)
    {
        _ending = null;
        RefuseAccepted(refusal);
        Tell(_handlerGone, _options.Handler, new SessionClosed(Self, _sessionId, end.Reason, end.Error, end.Detail, _options.RemoteAddress));
        Tell(_connectionGone, _options.Connection, new CloseConnection(end.Abort));
    }

    // Nothing is told to an actor known to be gone: it would only be a dead letter.
    private void Tell(bool gone, IActorRef target, object message)
    {
        if (!gone)
        {
            target.Tell(message);
        }
    }

    private Receive Stopped() => message =>
    {
        if (message is SendMessage send)
        {
            Refuse(Sender, SendRefusalKind.Closed, "Session closed.", send.CorrelationId);
        }

        return true;
    };

    private sealed record SessionEnd(CloseReason Reason, KamuneError? Error, string Detail, bool Abort);

    private sealed class TakesOverdue : IRuntimeMessage
    {
        public static readonly TakesOverdue Instance = new();
    }

    private sealed class HandshakeTimedOut : IRuntimeMessage
    {
        public static readonly HandshakeTimedOut Instance = new();
    }

    private sealed class IdleTimedOut : IRuntimeMessage
    {
        public static readonly IdleTimedOut Instance = new();
    }
}

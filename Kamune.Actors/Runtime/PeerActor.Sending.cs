using Akka.Actor;
using Akka.IO;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Actors.Runtime;

// The outbound side: admission of sends (size, the send gate, the budget or the early queue), seal batching, the
// cipher's answers, and every frame going to the connection through the one outbound budget.
internal sealed partial class PeerActor
{
    private void OnSend(SendMessage send, bool established)
    {
        if (send.Data.Length > SessionTransport.MaxPayload)
        {
            Refuse(Sender, SendRefusalKind.TooLarge,
                $"Message too large: expected at most {SessionTransport.MaxPayload} bytes, got {send.Data.Length}.", send.CorrelationId);
            return;
        }

        var room = established ? _budget.HasRoom : _early.Count < _options.SendWindow;
        if (!_gate.Admit(Sender, send, room))
        {
            var kind = established ? SendRefusalKind.BackPressure : SendRefusalKind.NotEstablished;
            var reason = (established, room) switch
            {
                (_, true) => "Back-pressure: an earlier send of yours was refused; send that one again first, then this one.",
                (true, false) => $"Back-pressure: {_options.SendWindow} frames already wait for the connection; retry on SendWindowOpen.",
                (false, false) => $"Session not established yet and {_early.Count} sends already wait for it; retry on SendWindowOpen.",
            };
            Refuse(Sender, kind, reason, send.CorrelationId);
            return;
        }

        // Copied: the caller may reuse its buffer as soon as Tell returns.
        var pending = new PendingSend(Sender, send.CorrelationId);
        if (!established)
        {
            _early.Enqueue(new EarlySend(pending, send.Data.ToArray()));
            return;
        }

        QueueSend(pending, send.Data.ToArray());
    }

    private void QueueSend(PendingSend pending, byte[] data)
    {
        _unanswered.Enqueue(pending);
        _budget.Sealing();
        if (_seals.Add(new SealMessage(Route.ExchangeMessages, data, pending)))
        {
            // The sends already in the mailbox join this one before the marker arrives (SealBatch).
            Self.Tell(FlushSealsMarker.Instance);
        }
    }

    private void FlushSeals()
    {
        if (_seals.Flush() is { } seals)
        {
            _cipher.Tell(seals);
        }
    }

    private bool OnSealAnswer(object message)
    {
        switch (message)
        {
            case FlushSealsMarker:
                if (_seals.OnMarker() is { } seals)
                {
                    _cipher.Tell(seals);
                }

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
            case Sealed { Tag: CloseMarker close } sealedClose:
                _budget.Sealed(written: true);
                Write(sealedClose.Frame);
                Finish(CloseReason.LocalClose, null, close.Detail, abort: false);
                return true;
            case Sealed { Tag: PendingSend pending } sealedSend:
                // Acknowledged only once the connection takes the frame (OnFrameTaken): the writer may be gone already.
                _unanswered.Dequeue();
                _budget.Sealed(written: true);
                Write(sealedSend.Frame, new WrittenSend(pending, sealedSend.Sequence));
                return true;
            case Sealed { Tag: null } sealedControl:
                _budget.Sealed(written: true);
                Write(sealedControl.Frame);
                return true;
            case SealRefused { Tag: PendingSend pending } refused:
                _unanswered.Dequeue();
                _budget.Sealed(written: false);
                Refuse(pending.ReplyTo, SendRefusalKind.TooLarge, refused.Reason, pending.CorrelationId);
                return true;
            default:
                return false;
        }
    }

    // The connection's answer to a WriteFrame (FrameTakes): a send is acknowledged once the live writer took its frame,
    // refused once it dropped it.
    private void OnFrameTaken(object answer, SessionPhase phase)
    {
        switch (answer)
        {
            case FrameHeld:
                Ack(_takes.Held());
                return;
            case FrameDropped:
                if (_takes.Dropped() is { } dropped)
                {
                    Refuse(dropped.Pending.ReplyTo, SendRefusalKind.Closed,
                        "The connection dropped the message: it is closing or closed.", dropped.Pending.CorrelationId);
                }

                return;
            case FrameWritten:
                Ack(_takes.Written());
                OnFrameWritten(phase);
                return;
        }
    }

    private static void Ack(WrittenSend? taken) =>
        taken?.Pending.ReplyTo.Tell(new SendAck(taken.Sequence, taken.Pending.CorrelationId));

    // The connection's queue took a frame: room in the budget may reopen refused senders and the socket's reads.
    private void OnFrameWritten(SessionPhase phase)
    {
        _budget.Confirmed();
        if (phase == SessionPhase.Established && !_finished)
        {
            TellReopened();
            AskForRead();
        }
    }

    private void TellReopened()
    {
        if (_gate.Closed == 0 || _closing || !_budget.HalfFree)
        {
            return;
        }

        foreach (var sender in _gate.Reopened())
        {
            sender.Tell(new SendWindowOpen(Self));
        }
    }

    private void Write(IReadOnlyList<ByteString> frames)
    {
        foreach (var frame in frames)
        {
            _budget.WrittenDirectly();
            Write(frame);
        }
    }

    private void Write(ByteString frame, WrittenSend? send = null)
    {
        _lastWrittenAt = _clock.Elapsed;
        _takes.Told(send);
        _options.Connection.Tell(new WriteFrame(frame));
    }

    private void Refuse(IActorRef sender, SendRefusalKind kind, string reason, object? correlationId) =>
        sender.Tell(new SendRefused(kind, reason, correlationId));

    // The session ends: every send it accepted and has not answered is refused, oldest first: those whose frame the
    // connection has not taken (told, never confirmed: perhaps to a writer already gone), then those at the cipher,
    // then those that waited for Established.
    private void RefuseAccepted(string reason)
    {
        foreach (var untaken in _takes.DropUntaken())
        {
            Refuse(untaken.Pending.ReplyTo, SendRefusalKind.Closed, reason, untaken.Pending.CorrelationId);
        }

        while (_unanswered.TryDequeue(out var unsent))
        {
            Refuse(unsent.ReplyTo, SendRefusalKind.Closed, reason, unsent.CorrelationId);
        }

        while (_early.TryDequeue(out var early))
        {
            Refuse(early.Pending.ReplyTo, SendRefusalKind.Closed, reason, early.Pending.CorrelationId);
        }
    }

    private sealed record PendingSend(IActorRef ReplyTo, object? CorrelationId);

    private sealed record EarlySend(PendingSend Pending, byte[] Data);

    // A send whose frame went to the connection, with the sequence number its SendAck carries.
    private sealed record WrittenSend(PendingSend Pending, ulong Sequence);

    private sealed record CloseMarker(string Detail);

    private sealed class FlushSealsMarker : IRuntimeMessage
    {
        public static readonly FlushSealsMarker Instance = new();
    }
}

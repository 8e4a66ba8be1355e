using Akka.Actor;
using Kamune.Node.Json;

namespace Kamune.Node.Hosting;

// User commands on their way to sessions: sends and closes in the order commanded, one unanswered Send per session,
// and the command intake (stdin, typed lines) answered only when the next command can be taken. The queueing rules
// are SendQueue's.
internal sealed partial class SessionHub
{
    // A send refused for back-pressure is offered again as soon as the session says SendWindowOpen. The timer is the
    // fallback for a window-open that never comes for it: the session tells a sender once per refusal, and every send
    // of this hub (commanded, echoed, the bench's) is the same sender to it. It doubles from its first delay up to 128
    // times that while the send stays refused, so a peer that reads slowly is not polled hard, and the session's
    // write timeout ends one that stopped reading.
    private TimeSpan SendRetryDelay(int refusals) => _retryDelays.FirstSend * (1 << Math.Min(refusals, 7));

    private void OnHubSend(HubSend send)
    {
        var known = TryGet(send.Session, out var session);
        if (known)
        {
            if (_sends.IsClosing(session))
            {
                Emit(new NodeEvent.Error($"send refused: session {send.Session} is closing", send.Session));
            }
            else
            {
                Dispatch(session, _sends.Enqueue(session, Outgoing.Message(send.Session, send.Data)));
            }
        }

        Taken(Sender, known ? session : null);
    }

    private void OnHubClose(HubClose close)
    {
        if (TryGet(close.Session, out var session))
        {
            QueueClose(close.Session, session);
        }
    }

    private void QueueClose(int number, IActorRef session)
    {
        if (!_sends.IsClosing(session))
        {
            Dispatch(session, _sends.Enqueue(session, Outgoing.Close(number)));
        }
    }

    // Hands the session the next item of its queue: a message, or the close that waited for the messages before it.
    private void Dispatch(IActorRef session, Outgoing? item)
    {
        while (item is not null)
        {
            if (!item.IsClose)
            {
                session.Tell(new SendMessage(item.Data, item));
                return;
            }

            session.Tell(CloseSession.Instance);
            item = _sends.Done(session, item);
        }
    }

    private void OnOutgoingAck(SendAck ack, Outgoing item)
    {
        Emit(new NodeEvent.Sent(item.Number, ack.Sequence));
        Dispatch(Sender, _sends.Done(Sender, item));
        ReleaseIntake();
    }

    private void OnOutgoingRefused(SendRefused refused, Outgoing item)
    {
        if (SendQueue<IActorRef>.IsBackPressure(refused.Kind))
        {
            if (ReferenceEquals(_sends.InFlight(Sender), item))
            {
                Timers.StartSingleTimer(new RetrySend(Sender), new RetrySend(Sender), SendRetryDelay(_sends.Refusals(Sender)));
                _sends.Refused(Sender);
            }

            return;
        }

        if (SendQueue<IActorRef>.IsSessionEnding(refused.Kind))
        {
            // Nothing more is offered to it: its SessionClosed says how many messages did not go out.
            return;
        }

        Emit(new NodeEvent.Error($"send refused: {refused.Reason}", item.Number));
        Dispatch(Sender, _sends.Done(Sender, item));
        ReleaseIntake();
    }

    private void OnRetrySend(RetrySend retry)
    {
        if (_sends.TakeRetry(retry.Session) is { } item)
        {
            retry.Session.Tell(new SendMessage(item.Data, item));
        }
    }

    // The session has room again for what it refused us: the refused send and the held echo go now, not on their
    // timers. Whatever was offered again already, or belongs to a session this hub no longer knows, waits for its
    // answer as before: nothing is sent twice, and a late SendWindowOpen is dropped quietly.
    private void OnSendWindowOpen(SendWindowOpen open)
    {
        if (_sends.TakeRetry(open.Session) is { } item)
        {
            Timers.Cancel(new RetrySend(open.Session));
            open.Session.Tell(new SendMessage(item.Data, item));
        }

        if (_echoes.Retry(open.Session) is { } echo)
        {
            Timers.Cancel(open.Session);
            open.Session.Tell(new SendMessage(echo.Data, echo));
        }
    }

    private void ForgetSends(IActorRef session, int number)
    {
        Timers.Cancel(new RetrySend(session));
        var unsent = _sends.Remove(session);
        if (unsent > 0)
        {
            Emit(new NodeEvent.Error($"{unsent} queued messages were not sent: the session closed", number));
        }

        ReleaseIntake();
    }

    // The command intake asks with each send and reads its next command only once answered: answered at once while
    // the session's queue has room, else once it has room again (or the session is gone). A sender that told without
    // asking (the demo) is not waited for.
    private void Taken(IActorRef asker, IActorRef? session)
    {
        if (asker.Equals(Context.System.DeadLetters))
        {
            return;
        }

        if (session is null || _sends.HasRoom(session))
        {
            asker.Tell(HubTaken.Instance);
            return;
        }

        _waitingIntake.Add((asker, session));
    }

    private void ReleaseIntake()
    {
        for (var i = 0; i < _waitingIntake.Count; i++)
        {
            var (asker, session) = _waitingIntake[i];
            if (_sends.HasRoom(session) || !_sessions.TryNumber(session, out _))
            {
                asker.Tell(HubTaken.Instance);
                _waitingIntake.RemoveAt(i--);
            }
        }
    }

    private sealed record RetrySend(IActorRef Session);
}

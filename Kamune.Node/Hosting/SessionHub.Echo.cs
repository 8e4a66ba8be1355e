using Akka.Actor;

namespace Kamune.Node.Hosting;

// Echo mode: every received message goes back on its session. Its DeliveryAck waits until the echo was accepted (or
// dropped), so with kamune.delivery-window a session whose echoes cannot go out stops reading its socket: a peer that
// sends without reading our echoes is slowed through TCP instead of filling this node with echoes. What is held
// meanwhile is bounded by EchoBook (per session and per node).
internal sealed partial class SessionHub
{
    // Echoes one session may hold for its send window: far above any in-flight window a well-behaved peer uses, and
    // above what kamune.delivery-window lets a session have unanswered. Only reachable with the window off.
    private const int MaxHeldEchoes = 4096;

    // Echo payload bytes the whole node may hold for its sessions' send windows.
    private const long MaxHeldEchoBytes = 32L * 1024 * 1024;

    /// <summary>Sends the echo of <paramref name="received"/>, or holds it; true when the echo now owes the DeliveryAck.</summary>
    private bool Echo(MessageReceived received, int number)
    {
        var echo = _echoes.Received(received.Session, received.Data, out var dropped);
        if (dropped is not null)
        {
            NoteDropped(dropped, number);
            return false;
        }

        if (echo is not null)
        {
            received.Session.Tell(new SendMessage(echo.Data, echo));
        }

        return true;
    }

    private void OnEchoAccepted(Echo echo)
    {
        Answer(Sender, echo);
        if (_echoes.Accepted(Sender, echo) is { } next)
        {
            Sender.Tell(new SendMessage(next.Data, next));
        }
    }

    private void OnEchoRefused(Echo echo, string reason)
    {
        if (!_sessions.TryNumber(Sender, out var number))
        {
            return;
        }

        var retry = _echoes.Refused(Sender, echo, out var dropped);
        if (dropped is not null)
        {
            NoteDropped(dropped, number);
            Answer(Sender, dropped.Echo);
        }

        if (retry)
        {
            _log.Debug("Echo held for the send window: {Reason}", reason);
            Timers.StartSingleTimer(Sender, new RetryEcho(Sender), _retryDelays.Echo);
        }
    }

    private void OnRetryEcho(RetryEcho retry)
    {
        if (_echoes.Retry(retry.Session) is { } head)
        {
            retry.Session.Tell(new SendMessage(head.Data, head));
        }
    }

    private static void Answer(IActorRef session, Echo echo)
    {
        if (!echo.Answered)
        {
            echo.Answered = true;
            session.Tell(DeliveryAck.Instance);
        }
    }

    private void NoteDropped(EchoBook<IActorRef>.Drop dropped, int number)
    {
        if (dropped.First)
        {
            _log.Warning("Echoes dropped: {Count} already wait for session {Number}'s send window", dropped.Held, number);
        }
    }

    private sealed record RetryEcho(IActorRef Session);
}

using System.Globalization;
using System.Text;
using Akka.Actor;

namespace Kamune.Examples.Embedding;

/// <summary>
/// Alice's handler: checks that the numbered messages arrive in order, acknowledges each once it is handled, and
/// says how many came, and whether in order, when the session ends.
/// </summary>
internal sealed class Receiver : ReceiveActor
{
    private int _received;
    private int _outOfOrder;

    public Receiver(TaskCompletionSource<CloseReason> closed)
    {
        Receive<SessionEstablished>(established =>
            Console.WriteLine($"alice: session with {established.Peer.Name} established, fingerprint {established.Peer.Fingerprint}"));
        Receive<MessageReceived>(message =>
        {
            // Data is this event's own copy: it may be kept. The answer lets the session read on
            // (kamune.delivery-window): a handler that never answers stalls its session.
            if (int.Parse(Encoding.UTF8.GetString(message.Data.Span), CultureInfo.InvariantCulture) != _received)
            {
                _outOfOrder++;
            }

            _received++;
            message.Session.Tell(DeliveryAck.Instance);
        });
        Receive<SessionClosed>(ended =>
        {
            var order = _outOfOrder == 0 ? "all in order" : $"{_outOfOrder} out of order";
            Console.WriteLine($"alice: received {_received} messages, {order}");
            closed.TrySetResult(ended.Reason);
        });
    }
}

/// <summary>
/// Bob's handler: once the session is established, sends the messages 0, 1, 2... with up to
/// <see cref="MaxUnanswered"/> on their way at once, and keeps them in order through back-pressure the way
/// <see cref="SendMessage"/> documents: after a refusal it sends nothing new and keeps the refused ones in the order
/// their refusals came; once SendWindowOpen has arrived and every SendMessage so far has been answered, it sends the
/// refused ones again, oldest first, then goes on. After the last SendAck it says how it went and closes the session.
/// </summary>
internal sealed class Talker : ReceiveActor
{
    private const int MaxUnanswered = 32;

    private readonly int _count;
    private readonly Queue<int> _refused = new();
    private IActorRef _session = ActorRefs.Nobody;
    private int _next;
    private int _unanswered;
    private int _acknowledged;
    private int _refusals;
    private int _windowOpens;
    private bool _windowOpen;

    public Talker(int count, TaskCompletionSource<CloseReason> closed)
    {
        _count = count;
        Receive<SessionEstablished>(established =>
        {
            _session = established.Session;
            Console.WriteLine($"bob: session with {established.Peer.Name} established, fingerprint {established.Peer.Fingerprint}");
            Pump();
        });
        Receive<SendAck>(_ =>
        {
            _unanswered--;
            if (++_acknowledged == _count)
            {
                Console.WriteLine($"bob: sent {_count} messages; {_refusals} refused for back-pressure, sent again after {_windowOpens} SendWindowOpen");
                _session.Tell(CloseSession.Instance);
                return;
            }

            Pump();
        });
        Receive<SendRefused>(refused =>
        {
            _unanswered--;
            if (refused.Kind != SendRefusalKind.BackPressure)
            {
                Console.Error.WriteLine($"bob: send refused: {refused.Reason}");
                _session.Tell(CloseSession.Instance);
                return;
            }

            _refusals++;
            _refused.Enqueue((int)refused.CorrelationId!);
            Pump();
        });
        Receive<SendWindowOpen>(_ =>
        {
            _windowOpens++;
            _windowOpen = _refused.Count > 0;
            Pump();
        });
        Receive<MessageReceived>(message => message.Session.Tell(DeliveryAck.Instance));
        Receive<SessionClosed>(ended => closed.TrySetResult(ended.Reason));
    }

    private void Pump()
    {
        if (_refused.Count > 0)
        {
            // Held: sends still on their way may be refused too, and belong in the queue before any retry goes.
            if (!_windowOpen || _unanswered > 0)
            {
                return;
            }

            _windowOpen = false;
            while (_refused.TryDequeue(out var index))
            {
                SendNumber(index);
            }

            return;
        }

        while (_unanswered < MaxUnanswered && _next < _count)
        {
            SendNumber(_next++);
        }
    }

    // The message's index is its correlation id, so a refusal names the message to send again.
    private void SendNumber(int index)
    {
        _unanswered++;
        _session.Tell(new SendMessage(Encoding.UTF8.GetBytes(index.ToString(CultureInfo.InvariantCulture)), index));
    }
}

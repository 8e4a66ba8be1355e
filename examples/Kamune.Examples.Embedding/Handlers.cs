using System.Text;
using Akka.Actor;

namespace Kamune.Examples.Embedding;

/// <summary>Alice's handler: prints what arrives and acknowledges each message once it is handled.</summary>
internal sealed class Receiver : ReceiveActor
{
    public Receiver(TaskCompletionSource<CloseReason> closed)
    {
        Receive<SessionEstablished>(established =>
            Console.WriteLine($"alice: session with {established.Peer.Name} established, fingerprint {established.Peer.Fingerprint}"));
        Receive<MessageReceived>(message =>
        {
            // Data is this event's own copy: it may be kept. The answer lets the session read on
            // (kamune.delivery-window): a handler that never answers stalls its session.
            Console.WriteLine($"alice: received \"{Encoding.UTF8.GetString(message.Data.Span)}\"");
            message.Session.Tell(DeliveryAck.Instance);
        });
        Receive<SessionClosed>(ended => closed.TrySetResult(ended.Reason));
    }
}

/// <summary>
/// Bob's handler: once the session is established, sends its lines in order, one at a time: the next Send goes
/// out only when the previous one was answered with SendAck, so no refusal can reorder them. After the last,
/// it closes the session.
/// </summary>
internal sealed class Talker : ReceiveActor
{
    private readonly Queue<string> _lines;
    private IActorRef _session = ActorRefs.Nobody;

    public Talker(IEnumerable<string> lines, TaskCompletionSource<CloseReason> closed)
    {
        _lines = new Queue<string>(lines);
        Receive<SessionEstablished>(established =>
        {
            _session = established.Session;
            Console.WriteLine($"bob: session with {established.Peer.Name} established, fingerprint {established.Peer.Fingerprint}");
            SendNext();
        });
        Receive<SendAck>(_ => SendNext());
        Receive<SendRefused>(refused =>
        {
            Console.Error.WriteLine($"bob: send refused: {refused.Reason}");
            _session.Tell(CloseSession.Instance);
        });
        Receive<MessageReceived>(message => message.Session.Tell(DeliveryAck.Instance));
        Receive<SessionClosed>(ended => closed.TrySetResult(ended.Reason));
    }

    private void SendNext()
    {
        if (_lines.TryDequeue(out var line))
        {
            _session.Tell(new SendMessage(Encoding.UTF8.GetBytes(line)));
        }
        else
        {
            _session.Tell(CloseSession.Instance);
        }
    }
}

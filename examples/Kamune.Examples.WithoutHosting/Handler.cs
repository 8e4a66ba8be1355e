using System.Text;
using Akka.Actor;

namespace Kamune.Examples.WithoutHosting;

/// <summary>Both ends of the node's session to itself: the dialer says hello, the listener's side answers by closing.</summary>
internal sealed class Handler : ReceiveActor
{
    private int _closed;

    public Handler(TaskCompletionSource bothClosed)
    {
        Receive<SessionEstablished>(established =>
        {
            Console.WriteLine($"{established.Role}: established with {established.Peer.Fingerprint}");
            if (established.Role == SessionRole.Initiator)
            {
                established.Session.Tell(new SendMessage("hello, me"u8.ToArray()));
            }
        });
        Receive<SendAck>(_ => { });
        Receive<MessageReceived>(received =>
        {
            Console.WriteLine($"Responder: received \"{Encoding.UTF8.GetString(received.Data.Span)}\"");
            received.Session.Tell(DeliveryAck.Instance);
            received.Session.Tell(CloseSession.Instance);
        });
        Receive<SessionClosed>(closed =>
        {
            Console.WriteLine($"session closed ({closed.Reason})");
            if (++_closed == 2)
            {
                bothClosed.SetResult();
            }
        });
    }
}

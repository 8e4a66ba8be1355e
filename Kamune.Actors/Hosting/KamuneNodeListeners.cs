using System.Net;
using Akka.Actor;
using Kamune.Actors.Runtime;

namespace Kamune.Hosting;

// Hears every ListenerUnbound the manager publishes on the EventStream (also those nobody asked for: a listener whose
// handler stopped unbinds on its own) so that IKamuneNode.Listeners lists only what is still bound.
internal sealed class KamuneNodeListeners : ReceiveActor
{
    public KamuneNodeListeners(Action<EndPoint> unbound) => Receive<ListenerUnbound>(message => unbound(message.LocalAddress));

    // Subscribed once Start returns (PreStart runs before any message, and the manager publishes from its own
    // mailbox), so no unbind of a listener bound after this call is missed.
    public static void Start(ActorSystem system, Action<EndPoint> unbound)
    {
        var actor = ((ExtendedActorSystem)system).SystemActorOf(ActorFactory.Props(() => new KamuneNodeListeners(unbound)), "kamune-node-listeners");
        system.EventStream.Subscribe(actor, typeof(ListenerUnbound));
    }
}

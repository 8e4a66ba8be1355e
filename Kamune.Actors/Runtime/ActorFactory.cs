using Akka.Actor;

namespace Kamune.Actors.Runtime;

/// <summary>
/// Props from a plain factory delegate. Akka's <c>Props.Create(() => new X(...))</c> builds an expression tree at
/// every call, reads its arguments back by reflection and constructs the actor through <c>Activator</c>: several
/// actors per connection made that a measurable share of the per-connection set-up.
/// </summary>
internal static class ActorFactory
{
    public static Props Props<TActor>(Func<TActor> create)
        where TActor : ActorBase =>
        Akka.Actor.Props.CreateBy(new Producer<TActor>(create));

    private sealed class Producer<TActor>(Func<TActor> create) : IIndirectActorProducer
        where TActor : ActorBase
    {
        public Type ActorType => typeof(TActor);

        public ActorBase Produce() => create();

        public void Release(ActorBase actor)
        {
            // Nothing to release: the actor owns its resources and frees them in PostStop.
        }
    }
}

using System.Net;
using Akka.Actor;
using Kamune.Abstractions;
using Kamune.Actors;
using Kamune.Identity;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Tests;

/// <summary>Hub tests' stand-in sessions: tells a <c>SessionHub</c> that <paramref name="session"/> is established.</summary>
internal static class StandInSessions
{
    public const string SessionId = "SESSION";

    public static void Establish(IActorRef hub, IActorRef session, ulong seed)
    {
        using var identity = IdentityKeyPair.Generate(new DeterministicRandomSource(seed));
        hub.Tell(new SessionEstablished(
            session, SessionId, new RemotePeer(identity.PublicIdentity, "peer", "0.7.0", new IPEndPoint(IPAddress.Loopback, 1)), SessionRole.Responder));
    }
}

/// <summary>A hub output for tests that only watch the sessions: every event is dropped.</summary>
internal sealed class QuietOutput : INodeOutput
{
    public void Emit(NodeEvent nodeEvent)
    {
    }
}

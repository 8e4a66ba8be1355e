using System.Net;
using Akka.Actor;
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

/// <summary>In-process nodes for hub tests over real loopback TCP.</summary>
internal static class HubNodes
{
    /// <summary>Binds <paramref name="node"/>'s listener on 127.0.0.1 (a free port) for <paramref name="hub"/>'s sessions; returns the port.</summary>
    public static async Task<int> ListenOnLoopbackAsync(NodeRuntime node, IActorRef hub)
    {
        var bound = await node.ListenAsync(Kamune.Node.Cli.PeerAddress.Parse("127.0.0.1:0", allowPortZero: true, "listen"), hub, TimeSpan.FromSeconds(10));
        return int.Parse(bound[(bound.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>A hub output for tests that only watch the sessions: every event is dropped.</summary>
internal sealed class QuietOutput : INodeOutput
{
    public void Emit(NodeEvent nodeEvent)
    {
    }
}

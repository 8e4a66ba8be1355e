using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Identity;
using Kamune.Tests.Support;

namespace Kamune.Tests.Runtime;

// Issue 3: a node stops gracefully from the library, so the remote peer (another system over loopback TCP) reads
// CLOSE_TRANSPORT, i.e. PeerClosed, and not a lost connection.
public sealed class GracefulShutdownTests : TwoNodeTestKit
{
    private static readonly Config NodeConfig = ConfigurationFactory.ParseString(
        "kamune { max-connections-per-address = 0 }").WithFallback(KamuneConfig.Default);

    public GracefulShutdownTests()
        : base(NodeConfig, "stopping-node", "peer-node", 0xA1, 0xB1)
    {
    }

    [Fact]
    public async Task ShutdownAsync_closes_accepted_and_dialed_sessions_with_close_transport_then_unbinds()
    {
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe();
        var atA = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, probeA.Ref);
        var atB = (IPEndPoint)await NodeB.ListenAsync("127.0.0.1", 0, probeB.Ref);
        await NodeB.DialAsync("127.0.0.1", atA.Port, probeB.Ref);
        await NodeA.DialAsync("127.0.0.1", atB.Port, probeA.Ref);
        probeA.ReceiveN(2, TimeSpan.FromSeconds(20)).ToList().ForEach(m => Assert.IsType<SessionEstablished>(m));
        probeB.ReceiveN(2, TimeSpan.FromSeconds(20)).ToList().ForEach(m => Assert.IsType<SessionEstablished>(m));

        await NodeA.ShutdownAsync(TimeSpan.FromSeconds(10));

        var seenByPeer = probeB.ReceiveN(2, TimeSpan.FromSeconds(10)).Cast<SessionClosed>().ToList();
        Assert.All(seenByPeer, closed => Assert.Equal(CloseReason.PeerClosed, closed.Reason));
        var seenLocally = probeA.ReceiveN(2, TimeSpan.FromSeconds(10)).Cast<SessionClosed>().ToList();
        Assert.All(seenLocally, closed => Assert.Equal(CloseReason.LocalClose, closed.Reason));
        // Unbound when ShutdownAsync returns, not some time later: nothing accepts on A's port any more, and the port
        // can be bound again at once (a node restarted on its port).
        var redial = await NodeB.Manager.Ask<object>(new DialPeer("127.0.0.1", atA.Port, probeB.Ref), TimeSpan.FromSeconds(10));
        Assert.StartsWith("connection refused", Assert.IsType<DialFailed>(redial).Reason);
        var rebound = (IPEndPoint)await NodeB.ListenAsync("127.0.0.1", atA.Port, probeB.Ref);
        Assert.Equal(atA.Port, rebound.Port);
    }

    [Fact]
    public async Task Terminating_the_actor_system_closes_its_sessions_gracefully_through_coordinated_shutdown()
    {
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe();
        var atA = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, probeA.Ref);
        await NodeB.DialAsync("127.0.0.1", atA.Port, probeB.Ref);
        probeB.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));

        await SystemB.Terminate().WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(CloseReason.PeerClosed, probeA.FishForMessage<SessionClosed>(_ => true, TimeSpan.FromSeconds(10)).Reason);
    }

    [Fact]
    public async Task A_node_that_is_shutting_down_refuses_new_dials_and_listens()
    {
        await NodeA.ShutdownAsync(TimeSpan.FromSeconds(5));

        var dial = await NodeA.Manager.Ask<DialFailed>(new DialPeer("127.0.0.1", 9, TestActor), TimeSpan.FromSeconds(5));
        Assert.Equal("the node is shutting down", dial.Reason);
        var listen = await NodeA.Manager.Ask<BindListenerFailed>(new BindListener("127.0.0.1", 0, TestActor), TimeSpan.FromSeconds(5));
        Assert.Equal("the node is shutting down", listen.Reason);
    }
}

using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Protocol;
using Kamune.Tests.Support;

namespace Kamune.Tests.Runtime;

/// <summary>
/// Issue 18 items 1 and 2 over real loopback TCP: a session ends the moment its connection's writer stops (before,
/// it lived on until the idle timeout and acknowledged sends that went to dead letters), and closes gracefully when
/// its handler stops, also when that handler is a listener's and the listener unbinds.
/// </summary>
public sealed class WatchedConnectionTests : TwoNodeTestKit
{
    private static readonly Config NodeConfig = ConfigurationFactory
        .ParseString("kamune { max-connections-per-address = 0 }")
        .WithFallback(KamuneConfig.Default);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private const int Sessions = 6;

    public WatchedConnectionTests()
        : base(NodeConfig, "watched-a", "watched-b", 0x3A, 0x3B)
    {
    }

    [Fact]
    public async Task A_session_whose_writer_stops_ends_at_once_as_ConnectionLost_on_both_sides()
    {
        var (probeA, probeB, _, _) = await EstablishedAsync();
        // The manager runs under its guardian (NodeA.Manager); each connection's writer is a child of the manager.
        var writer = await Sys.ActorSelection(NodeA.Manager.Path / "manager" / "connection-*").ResolveOne(Patience);
        Watch(writer);
        Sys.Stop(writer);
        ExpectTerminated(writer, Patience);

        // Well within the 6 s the handler used to hear nothing in (and the 5 min idle timeout the session lived to).
        var here = probeA.ExpectMsg<SessionClosed>(TimeSpan.FromSeconds(3));
        Assert.Equal((CloseReason.ConnectionLost, KamuneError.ConnectionLost), (here.Reason, here.Error));
        Assert.Contains("writer stopped", here.Detail);
        Assert.Equal(CloseReason.ConnectionLost, probeB.FishForMessage<SessionClosed>(_ => true, Patience).Reason);
    }

    [Fact]
    public async Task A_session_whose_handler_stops_closes_gracefully_and_the_peer_hears_it()
    {
        // The dialer's handler stops (no listener is involved on that side: a listener whose handler stops also
        // unbinds, which is the listener's business); the listening side hears CLOSE_TRANSPORT.
        var (probeA, _, _, handlerB) = await EstablishedAsync();
        SystemB.Stop(handlerB);
        var there = probeA.FishForMessage<SessionClosed>(_ => true, Patience);
        Assert.Equal((CloseReason.PeerClosed, KamuneError.PeerDisconnected), (there.Reason, there.Error));
    }

    [Fact]
    public async Task Sessions_whose_listening_handler_stops_close_gracefully_and_every_dialer_hears_PeerClosed()
    {
        // The listener unbinds when its handler stops; Akka.IO ends a listener's accepted sockets with it, so an
        // unbind before the sessions' CLOSE_TRANSPORT is out cut them, and a dialer heard ConnectionLost. Rounds of
        // several sessions each, so that an unbind racing the closes would lose at least once.
        for (var round = 0; round < 4; round++)
        {
            var listening = CreateTestProbe();
            var dialing = CreateTestProbe(SystemB);
            var handlerA = Sys.ActorOf(Props.Create(() => new Forwarder(listening.Ref)));
            var handlerB = SystemB.ActorOf(Props.Create(() => new Forwarder(dialing.Ref)));
            var local = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, handlerA);
            await Task.WhenAll(Enumerable.Range(0, Sessions).Select(_ => NodeB.DialAsync("127.0.0.1", local.Port, handlerB)));
            for (var i = 0; i < Sessions; i++)
            {
                listening.ExpectMsg<SessionEstablished>(Patience);
                dialing.ExpectMsg<SessionEstablished>(Patience);
            }

            Sys.Stop(handlerA);

            for (var i = 0; i < Sessions; i++)
            {
                var there = dialing.FishForMessage<SessionClosed>(_ => true, Patience);
                Assert.True((there.Reason, there.Error) == (CloseReason.PeerClosed, KamuneError.PeerDisconnected),
                    $"round {round}, session {i}: expected PeerClosed, got {there.Reason} {there.Error}: {there.Detail}");
            }
        }
    }

    private async Task<(Akka.TestKit.TestProbe A, Akka.TestKit.TestProbe B, IActorRef HandlerA, IActorRef HandlerB)> EstablishedAsync()
    {
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe(SystemB);
        var handlerA = Sys.ActorOf(Props.Create(() => new Forwarder(probeA.Ref)));
        var handlerB = SystemB.ActorOf(Props.Create(() => new Forwarder(probeB.Ref)));
        var local = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, handlerA);
        await NodeB.DialAsync("127.0.0.1", local.Port, handlerB);
        probeA.ExpectMsg<SessionEstablished>(Patience);
        probeB.ExpectMsg<SessionEstablished>(Patience);
        return (probeA, probeB, handlerA, handlerB);
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef to) => ReceiveAny(to.Forward);
    }
}

using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Kamune.Actors.Runtime;
using Kamune.Wire;

namespace Kamune.Tests.Adversarial;
/// <summary>
/// Issue 6 items 2-3: peers and parts that fail rather than attack, over real loopback TCP: a peer that writes one
/// byte per segment, the network going away mid-burst, a handler that throws, a port already taken.
/// </summary>
public sealed class PeerFaultTests : HostileNodeTestKit
{
    [Fact]
    public async Task A_slow_but_honest_peer_that_writes_one_byte_per_segment_is_established()
    {
        var (probeA, probeB, port, healthyA, healthyB) = await HealthySessionAsync();
        using var peer = await ScriptedPeer.ConnectAsync(port, KeyHostile, 8);
        peer.Dribble = true;

        await peer.EstablishAsync();
        var established = probeA.FishForMessage<SessionEstablished>(e => e.SessionId == peer.SessionId, Patience);
        await peer.SendAsync(Route.ExchangeMessages, new byte[] { 42 });
        Assert.Equal(new byte[] { 42 }, probeA.FishForMessage<MessageReceived>(m => m.SessionId == peer.SessionId, Patience).Data.ToArray());

        established.Session.Tell(new SendMessage(new byte[] { 43 }));
        var reply = await peer.ReceiveAsync();
        Assert.Equal((Route.ExchangeMessages, 43), (reply.Route, (int)reply.Value.Span[0]));

        await peer.SendAsync(Route.CloseTransport, ReadOnlyMemory<byte>.Empty);
        Assert.Equal(CloseReason.PeerClosed, probeA.FishForMessage<SessionClosed>(c => c.SessionId == peer.SessionId, Patience).Reason);
        await AssertFlowsAsync(probeA, probeB, healthyA, healthyB);
        await AssertOnlyHealthyRemainsAsync();
    }

    [Fact]
    public async Task The_network_going_away_while_the_node_sends_a_burst_is_a_lost_connection_and_nothing_else()
    {
        var (probeA, probeB, port, healthyA, healthyB) = await HealthySessionAsync();
        using var peer = await ScriptedPeer.ConnectAsync(port, KeyHostile, 9);
        await peer.EstablishAsync();
        var victim = probeA.FishForMessage<SessionEstablished>(e => e.SessionId == peer.SessionId, Patience);

        var sender = CreateTestProbe();
        for (var i = 0; i < 200; i++)
        {
            victim.Session.Tell(new SendMessage(new byte[30_000]), sender.Ref);
        }

        await peer.ReceiveAsync();
        peer.Kill();

        var closed = probeA.FishForMessage<SessionClosed>(c => c.SessionId == peer.SessionId, Patience);
        Assert.Equal((CloseReason.ConnectionLost, KamuneError.ConnectionLost), (closed.Reason, closed.Error));
        // Every send is answered exactly once: acknowledged, refused by the send window, or refused because the session
        // ended before it was written. A sender refused for back-pressure may also hear SendWindowOpen.
        var answers = new List<object>();
        while (sender.TryReceiveOne(out var envelope, TimeSpan.FromMilliseconds(500)))
        {
            if (envelope.Message is not SendWindowOpen)
            {
                answers.Add(envelope.Message);
            }
        }

        Assert.All(answers, a => Assert.True(a is SendAck or SendRefused, $"expected SendAck or SendRefused, got {a}"));
        Assert.Contains(answers, a => a is SendAck);
        Assert.Equal(200, answers.Count);
        await AssertFlowsAsync(probeA, probeB, healthyA, healthyB);
        await AssertOnlyHealthyRemainsAsync();
    }

    [Fact]
    public async Task A_handler_that_throws_is_restarted_by_its_own_supervisor_and_the_session_carries_on()
    {
        var probe = CreateTestProbe();
        var probeB = CreateTestProbe();
        var handler = Sys.ActorOf(Props.Create(() => new ThrowingHandler(probe.Ref)), "throwing-handler");
        var local = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, handler);
        await NodeB.DialAsync("127.0.0.1", local.Port, probeB.Ref);
        var atA = probe.FishForMessage<SessionEstablished>(_ => true, Patience);
        var atB = probeB.FishForMessage<SessionEstablished>(_ => true, Patience);

        atB.Session.Tell(new SendMessage(ThrowingHandler.Poison), probeB.Ref);
        atB.Session.Tell(new SendMessage(new byte[] { 1 }), probeB.Ref);
        probe.ExpectMsg<ThrowingHandler.Restarted>(Patience);
        Assert.Equal(new byte[] { 1 }, probe.ExpectMsg<MessageReceived>(Patience).Data.ToArray());

        atA.Session.Tell(new SendMessage(new byte[] { 2 }));
        Assert.Equal(new byte[] { 2 }, probeB.FishForMessage<MessageReceived>(_ => true, Patience).Data.ToArray());
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(new ManagerState(1, 1, 1, 0, 0), await ManagerStateAsync());
    }

    [Fact]
    public async Task A_port_already_taken_is_BindListenerFailed_with_the_reason_and_leaves_no_listener()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            var reply = await NodeA.Manager.Ask<object>(new BindListener("127.0.0.1", port, TestActor), Patience);
            var failed = Assert.IsType<BindListenerFailed>(reply);
            Assert.Equal(port, failed.Port);
            Assert.False(string.IsNullOrWhiteSpace(failed.Reason));
            Assert.Equal(new ManagerState(0, 0, 0, 0, 0), await ManagerStateAsync());
        }
        finally
        {
            taken.Stop();
        }
    }

    /// <summary>A user handler that throws on one poison message; its supervisor (the user guardian) restarts it.</summary>
    private sealed class ThrowingHandler : ReceiveActor
    {
        public static readonly byte[] Poison = [0xFF, 0xFF];

        private readonly IActorRef _probe;

        public ThrowingHandler(IActorRef probe)
        {
            _probe = probe;
            ReceiveAny(message =>
            {
                if (message is MessageReceived received && received.Data.Span.SequenceEqual(Poison))
                {
                    throw new InvalidOperationException("handler bug");
                }

                probe.Tell(message);
            });
        }

        protected override void PostRestart(Exception reason)
        {
            base.PostRestart(reason);
            _probe.Tell(new Restarted());
        }

        public sealed record Restarted;
    }
}

using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Actors;
using Kamune.Actors.Configuration;
using Kamune.Actors.Runtime;
using Kamune.Protocol;
using Kamune.Tests.Runtime;
using Kamune.Tests.Support;

namespace Kamune.Tests.Adversarial;

/// <summary>
/// Issue 6 item 2 and issue 15, the half-open flood: kamune.max-concurrent-handshakes bounds the accepted connections
/// still handshaking. When it is full a newcomer is admitted and the oldest handshake of the address holding the most
/// slots is evicted, so a flood from one address evicts only its own connections: an honest peer from another
/// address is established meanwhile, and the established session never notices.
/// </summary>
public sealed class HandshakeCapTests : TwoNodeTestKit
{
    private const int Cap = 4;
    private const int Flood = 12;

    private static readonly Config NodeConfig = ConfigurationFactory.ParseString($$"""
        kamune {
          handshake-timeout = 4s
          max-concurrent-handshakes = {{Cap}}
          max-connections-per-address = 0
        }
        """).WithFallback(KamuneConfig.Default);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public HandshakeCapTests()
        : base(NodeConfig, "cap-a", "cap-b", 0xA2, 0xB2)
    {
    }

    [Fact]
    public async Task A_flood_of_half_open_connections_beyond_the_cap_evicts_its_own_oldest_while_an_honest_peer_is_established()
    {
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe();
        var port = ((IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, probeA.Ref)).Port;
        await NodeB.DialAsync("127.0.0.1", port, probeB.Ref);
        var healthyA = probeA.ExpectMsg<SessionEstablished>(Patience);
        var healthyB = probeB.ExpectMsg<SessionEstablished>(Patience);

        var flooder = IPAddress.Parse("127.0.0.2");
        var flood = new List<TcpClient>();
        try
        {
            for (var i = 0; i < Flood; i++)
            {
                var client = new TcpClient(new IPEndPoint(flooder, 0));
                await client.ConnectAsync(IPAddress.Loopback, port);
                flood.Add(client);
                // One at a time, so admission order is connection order.
                await AwaitStateAsync(s => s.Handshaking + s.EvictedAtHandshakeCap == i + 1);
            }

            // The oldest Flood - Cap made room, each ending with its typed reason; the newest Cap stay (silent).
            await AwaitStateAsync(s => s.EvictedAtHandshakeCap == Flood - Cap && s.Handshaking == Cap);
            for (var i = 0; i < Flood - Cap; i++)
            {
                var evicted = probeA.FishForMessage<SessionClosed>(_ => true, Patience);
                Assert.Equal((CloseReason.LocalClose, KamuneError.HandshakeEvicted), (evicted.Reason, evicted.Error));
                Assert.Equal(flooder, ((IPEndPoint)evicted.RemoteAddress!).Address);
            }

            var closedEarly = await Task.WhenAll(flood.Select(c => RawFrames.ClosedWithinAsync(c, TimeSpan.FromSeconds(1))));
            Assert.Equal(Enumerable.Repeat(true, Flood - Cap).Concat(Enumerable.Repeat(false, Cap)), closedEarly);

            // With every slot held by the flooder, an honest newcomer from another address evicts one of the
            // flooder's and is established.
            var honest = CreateTestProbe();
            await NodeB.DialAsync("127.0.0.1", port, honest.Ref);
            honest.ExpectMsg<SessionEstablished>(Patience);
            var making = probeA.FishForMessage<object>(m => m is SessionClosed or SessionEstablished, Patience);
            Assert.Equal(KamuneError.HandshakeEvicted, Assert.IsType<SessionClosed>(making).Error);
            probeA.FishForMessage<SessionEstablished>(_ => true, Patience);

            // The established session never noticed.
            healthyB.Session.Tell(new Send(new byte[] { 1 }), probeB.Ref);
            Assert.Equal(new byte[] { 1 }, probeA.FishForMessage<MessageReceived>(_ => true, Patience).Data.ToArray());

            // The silent ones left time out and their slots free up.
            for (var i = 0; i < Cap - 1; i++)
            {
                Assert.Equal(KamuneError.HandshakeTimeout, probeA.FishForMessage<SessionClosed>(_ => true, Patience).Error);
            }

            await AwaitStateAsync(s => s.Handshaking == 0 && s.Connections == 2);
            healthyA.Session.Tell(new Send(new byte[] { 2 }), probeA.Ref);
            Assert.Equal(new byte[] { 2 }, probeB.FishForMessage<MessageReceived>(_ => true, Patience).Data.ToArray());
        }
        finally
        {
            flood.ForEach(c => c.Dispose());
        }
    }

    private async Task AwaitStateAsync(Func<ManagerState, bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        var state = await NodeA.Manager.Ask<ManagerState>(GetManagerState.Instance, Patience);
        while (!condition(state) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            state = await NodeA.Manager.Ask<ManagerState>(GetManagerState.Instance, Patience);
        }

        Assert.True(condition(state), $"manager state never reached the condition; last {state}");
    }
}

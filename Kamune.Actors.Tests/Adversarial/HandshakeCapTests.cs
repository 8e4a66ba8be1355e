using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Abstractions;
using Kamune.Actors;
using Kamune.Actors.Configuration;
using Kamune.Actors.Runtime;
using Kamune.Identity;
using Kamune.Protocol;
using Kamune.Tests.Runtime;
using Kamune.Tests.Support;

namespace Kamune.Tests.Adversarial;

/// <summary>
/// Issue 6 item 2, the half-open flood: kamune.max-concurrent-handshakes bounds the accepted connections still
/// handshaking; the rest are closed at accept. The cap holds until the silent ones hit handshake-timeout, so an
/// honest newcomer is refused meanwhile (documented in reference.conf); the established session never notices.
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
    public async Task A_flood_of_half_open_connections_beyond_the_cap_is_closed_at_accept_while_the_established_session_flows()
    {
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe();
        var port = ((IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, probeA.Ref)).Port;
        await NodeB.DialAsync("127.0.0.1", port, probeB.Ref);
        var healthyA = probeA.ExpectMsg<SessionEstablished>(Patience);
        var healthyB = probeB.ExpectMsg<SessionEstablished>(Patience);

        var flood = new List<TcpClient>();
        try
        {
            for (var i = 0; i < Flood; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                flood.Add(client);
            }

            // The refused ones are closed at once; the Cap admitted ones stay open (silent) until handshake-timeout.
            await AwaitStateAsync(s => s.RefusedAtHandshakeCap == Flood - Cap && s.Handshaking == Cap);
            var closedEarly = await Task.WhenAll(flood.Select(c => RawFrames.ClosedWithinAsync(c, TimeSpan.FromSeconds(1))));
            Assert.Equal(Flood - Cap, closedEarly.Count(closed => closed));

            // With the cap reached an honest newcomer is refused too: its session sees the connection end in Exchange.
            var refused = CreateTestProbe();
            await NodeB.DialAsync("127.0.0.1", port, refused.Ref);
            var lost = refused.ExpectMsg<SessionClosed>(Patience);
            Assert.Equal(CloseReason.ConnectionLost, lost.Reason);

            // The established session never noticed.
            healthyB.Session.Tell(new Send(new byte[] { 1 }), probeB.Ref);
            Assert.Equal(new byte[] { 1 }, probeA.FishForMessage<MessageReceived>(_ => true, Patience).Data.ToArray());

            // The silent ones time out; their slots free up and a new session is admitted again.
            for (var i = 0; i < Cap; i++)
            {
                Assert.Equal(KamuneError.HandshakeTimeout, probeA.FishForMessage<SessionClosed>(_ => true, Patience).Error);
            }

            await AwaitStateAsync(s => s.Handshaking == 0 && s.Connections == 1);
            var late = CreateTestProbe();
            await NodeB.DialAsync("127.0.0.1", port, late.Ref);
            late.ExpectMsg<SessionEstablished>(Patience);
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
            await Task.Delay(50);
            state = await NodeA.Manager.Ask<ManagerState>(GetManagerState.Instance, Patience);
        }

        Assert.True(condition(state), $"manager state never reached the condition; last {state}");
    }
}

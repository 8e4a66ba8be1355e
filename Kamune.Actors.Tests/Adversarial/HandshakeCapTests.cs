using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Actors.Runtime;
using Kamune.Tests.Runtime;
using Kamune.Tests.Support;

namespace Kamune.Tests.Adversarial;

/// <summary>
/// Issue 6 item 2 and issue 15, the half-open flood: kamune.max-concurrent-handshakes bounds the accepted connections
/// still handshaking, shared fairly between addresses. When it is full a newcomer from the address holding the most is
/// refused at accept, and one from another address takes the place of the heaviest address's oldest handshake: an
/// honest peer is established meanwhile, and the established session never notices.
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
    public async Task A_flood_beyond_the_cap_from_one_address_is_refused_at_accept_while_an_honest_peer_takes_one_of_its_slots()
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
            }

            // The flooder's address holds every slot, so each further one of its connections is refused at accept,
            // before a session is made for it: held unanswered until Akka.IO's register-timeout (5 s) closes it, so
            // that a flooder reopening at once cannot keep the accept queue full. The first Cap stay (silent).
            await AwaitStateAsync(s => s.RefusedAtHandshakeCap == Flood - Cap && s.Handshaking == Cap);

            // An honest newcomer from another address takes the place of the flooder's oldest handshake, which ends
            // with its typed reason, and is established.
            var honest = CreateTestProbe();
            await NodeB.DialAsync("127.0.0.1", port, honest.Ref);
            honest.ExpectMsg<SessionEstablished>(Patience);
            var seen = new List<object>();
            var evicted = Fish<SessionClosed>(probeA, seen, _ => true);
            Assert.Equal((CloseReason.LocalClose, KamuneError.HandshakeEvicted), (evicted.Reason, evicted.Error));
            Assert.Equal(flooder, ((IPEndPoint)evicted.RemoteAddress!).Address);
            Fish<SessionEstablished>(probeA, seen, _ => true);
            await AwaitStateAsync(s => s.EvictedAtHandshakeCap == 1);

            // The established session never noticed.
            healthyB.Session.Tell(new SendMessage(new byte[] { 1 }), probeB.Ref);
            Assert.Equal(new byte[] { 1 }, Fish<MessageReceived>(probeA, seen, _ => true).Data.ToArray());

            // The silent ones left time out and their slots free up.
            await AwaitStateAsync(s => s.Handshaking == 0 && s.Connections == 2);
            while (seen.OfType<SessionClosed>().Count() < Cap)
            {
                Fish<SessionClosed>(probeA, seen, _ => true);
            }

            Assert.Equal(Cap - 1, seen.OfType<SessionClosed>().Count(c => c.Error == KamuneError.HandshakeTimeout));
            var closed = await Task.WhenAll(flood.Select(c => RawFrames.ClosedWithinAsync(c, TimeSpan.FromSeconds(10))));
            Assert.All(closed, Assert.True);
            healthyA.Session.Tell(new SendMessage(new byte[] { 2 }), probeA.Ref);
            Assert.Equal(new byte[] { 2 }, probeB.FishForMessage<MessageReceived>(_ => true, Patience).Data.ToArray());
        }
        finally
        {
            flood.ForEach(c => c.Dispose());
        }
    }

    // Like FishForMessage, but what it passes over stays in seen.
    private static T Fish<T>(Akka.TestKit.TestProbe probe, List<object> seen, Func<T, bool> match)
    {
        while (true)
        {
            var message = probe.ReceiveOne(Patience) ?? throw new Xunit.Sdk.XunitException($"no {typeof(T).Name} within {Patience}");
            seen.Add(message);
            if (message is T wanted && match(wanted))
            {
                return wanted;
            }
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

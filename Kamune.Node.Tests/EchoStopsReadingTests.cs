using Akka.Actor;
using Akka.Configuration;
using Kamune.Node.Hosting;

namespace Kamune.Node.Tests;

/// <summary>
/// Issue 16 item 4 over real loopback TCP: an echo node on its shipped configuration and a peer that sends large
/// messages as fast as it may while it never reads its socket (its handler never answers, with a delivery window of
/// one). The node's echoes cannot go out, so it stops reading that session instead of holding thousands of echoes:
/// the flooding peer is soon refused for back-pressure. Before, the node read on and held up to 4,096 echoes of up to
/// 61,435 bytes per session (about 250 MB), then dropped echoes and still read on.
/// </summary>
public sealed class EchoStopsReadingTests
{
    [Fact]
    public async Task An_echo_node_stops_reading_a_peer_that_does_not_read_its_echoes()
    {
        using var nodeKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x71));
        using var peerKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x72));
        await using var node = NodeRuntime.Start("echo-node", NodeConfig.Defaults(), nodeKey, AcceptAllVerifier.Instance);
        var hub = node.System.ActorOf(SessionHub.Props(node.Manager, new QuietOutput(), echo: true, onDial: null));
        var port = await HubNodes.ListenOnLoopbackAsync(node, hub);

        var peer = KamuneSystem.Create(
            "deaf-flooder", new KamuneNodeOptions(peerKey, AcceptAllVerifier.Instance), ConfigurationFactory.ParseString("kamune.delivery-window = 1"));
        try
        {
            // The peer's handler never answers a MessageReceived: after the first echo the peer reads nothing more.
            var events = Inbox.Create(peer);
            await KamuneExtension.Get(peer).DialAsync("127.0.0.1", port, events.Receiver);
            var session = ((SessionEstablished)await events.ReceiveAsync(TimeSpan.FromSeconds(20))).Session;

            // Sends until none has been taken for two seconds; the bound keeps the test finite if the node read on.
            var payload = new byte[60_000];
            var accepted = 0;
            var lastAccepted = DateTime.UtcNow;
            while (accepted < 6_000 && DateTime.UtcNow - lastAccepted < TimeSpan.FromSeconds(2))
            {
                if (await session.Ask<object>(new SendMessage(payload), TimeSpan.FromSeconds(10)) is SendAck)
                {
                    accepted++;
                    lastAccepted = DateTime.UtcNow;
                }
                else
                {
                    await Task.Delay(20);
                }
            }

            // What the peer got rid of sits in the two sockets' buffers, the node's inbound buffer and its delivery
            // window (64 unanswered messages): a few hundred messages on loopback, far from the 4,096 held before.
            Assert.True(accepted < 1_500, $"expected the echo node to stop reading within a few hundred messages, it took {accepted}");
        }
        finally
        {
            await peer.Terminate();
        }
    }
}

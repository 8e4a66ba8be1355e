using System.Net;
using Akka.Configuration;
using Kamune.Identity;
using Kamune.Protocol;
using Kamune.Tests.Support;
using Kamune.Wire;

namespace Kamune.Tests.Adversarial;

// Issue 16 item 1 end to end: a peer completes the handshake, floods PINGs of 60,000 bytes and never reads the PONGs.
// However the session paces its answers, the node never holds more for it than the connection's bound
// (outbound-max-frames / outbound-max-bytes) nor longer than write-timeout: the session ends with PeerNotReading,
// and the flood is cut off (the peer's writes stall or meet a reset) long before it is through.
public sealed class NonReadingPeerTests : TwoNodeTestKit
{
    private const int Pings = 3_000;

    private static readonly Config NodeConfig = ConfigurationFactory.ParseString(
        "kamune { max-connections-per-address = 0, write-timeout = 5s }").WithFallback(KamuneConfig.Default);

    private readonly IdentityKeyPair _flooder = IdentityKeyPair.Generate(new DeterministicRandomSource(0xC7));

    public NonReadingPeerTests()
        : base(NodeConfig, "flooded-node", "unused-node", 0xA7, 0xB7)
    {
    }

    [Fact]
    public async Task A_peer_that_floods_pings_and_never_reads_is_cut_off_with_PeerNotReading_long_before_the_flood_ends()
    {
        var handler = CreateTestProbe();
        var local = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, handler.Ref);
        using var peer = await ScriptedPeer.ConnectAsync(local.Port, _flooder, 3);
        await peer.EstablishAsync();
        handler.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));

        var sent = 0;
        try
        {
            for (; sent < Pings; sent++)
            {
                // A write that cannot finish means TCP pushes back: the flood is stopped either way.
                await peer.SendAsync(Route.Ping, new byte[60_000]).WaitAsync(TimeSpan.FromSeconds(15));
            }
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            // Reset by the node, or stalled by it.
        }

        var closed = handler.FishForMessage<SessionClosed>(_ => true, TimeSpan.FromSeconds(30));
        // The kind is the writer's; which CloseReason it maps to is the session's to say.
        Assert.Equal(KamuneError.PeerNotReading, closed.Error);
        Assert.True(sent < Pings / 2, $"expected the flood cut off well before {Pings} PINGs, got {sent} through");
        Assert.True(await peer.ClosedByNodeAsync(TimeSpan.FromSeconds(10)));
    }

    protected override void DisposeMore() => _flooder.Dispose();
}

using System.Diagnostics;
using System.Net;
using Akka.Configuration;
using Kamune.Identity;
using Kamune.Protocol;
using Kamune.Wire;
using Xunit.Abstractions;

namespace Kamune.Tests.Adversarial;

/// <summary>
/// Issue 16 item 1 over real loopback TCP: a peer that completes the handshake, floods PINGs of 60,000 bytes and never
/// reads. Every PONG counts against the session's one outbound budget, and while the budget is full the node reads
/// nothing more, so the flood stalls in TCP (as it does against the Go node) instead of in the node's memory, and the
/// flooder is disconnected with a typed reason.
/// </summary>
public sealed class PingFloodTests : Akka.TestKit.Xunit2.TestKit
{
    private const int Pings = 3_000;
    private const int PingBytes = 60_000;

    // A short write deadline and idle timeout, so a peer that stops reading is dropped within seconds, not minutes.
    private static readonly Config NodeConfig = ConfigurationFactory
        .ParseString("kamune { write-timeout = 2s, idle-timeout = 3s, max-connections-per-address = 0 }")
        .WithFallback(KamuneConfig.Default);

    private readonly ITestOutputHelper _output;

    public PingFloodTests(ITestOutputHelper output)
        : base(NodeConfig, "ping-flood", output)
    {
        _output = output;
    }

    [Fact]
    public async Task A_peer_that_floods_PINGs_and_never_reads_is_stalled_by_TCP_and_disconnected_with_a_typed_reason()
    {
        using var nodeKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x61));
        using var flooderKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x62));
        var node = KamuneExtension.Configure(Sys, new KamuneNodeOptions(nodeKey, AcceptAllVerifier.Instance));
        var handler = CreateTestProbe();
        var local = (IPEndPoint)await node.ListenAsync("127.0.0.1", 0, handler.Ref);

        using var flooder = await ScriptedPeer.ConnectAsync(local.Port, flooderKey, 0x63);
        // A small receive buffer of its own (no autotuning): the PONGs the flooder never reads soon fill it.
        flooder.Client.ReceiveBufferSize = 64 * 1024;
        await flooder.EstablishAsync();
        var established = handler.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));

        var stream = flooder.Client.GetStream();
        var probe = new byte[PingBytes];
        long written = 0;
        var sent = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            for (; sent < Pings; sent++)
            {
                // A write the node has not made room for within 3 s means the flood is stalled.
                using var stall = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                var frame = FrameCodec.Encode(flooder.SealSession(Route.Ping, probe));
                await stream.WriteAsync(frame, stall.Token);
                written += frame.Length;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Stalled (cancelled) or already disconnected by the node: either way the flood was stopped.
        }

        _output.WriteLine($"flooder wrote {sent} PINGs ({written / (1024 * 1024)} MiB) in {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(sent < Pings, $"expected the node to stop reading the flood; it took all {Pings} PINGs ({written} bytes)");
        // What the flooder got out is what the node holds plus what the kernel buffers hold: a fraction of the flood.
        Assert.True(written < (long)Pings * PingBytes / 3, $"expected the flood to stall within a third of its {Pings * (long)PingBytes} bytes, it wrote {written}");

        var closed = handler.FishForMessage<SessionClosed>(c => c.SessionId == established.SessionId, TimeSpan.FromSeconds(30));
        _output.WriteLine($"flooder's session ended: {closed.Reason} {closed.Error}: {closed.Detail}");
        // The writer's deadline for a peer that does not read (2 s) comes first; the idle timeout (3 s) is the backstop.
        Assert.Equal(CloseReason.Timeout, closed.Reason);
        Assert.Contains(closed.Error, new KamuneError?[] { KamuneError.PeerNotReading, KamuneError.IdleTimeout });
        Assert.True(await flooder.ClosedByNodeAsync(TimeSpan.FromSeconds(15)), "the node did not close the flooder's socket");
    }
}

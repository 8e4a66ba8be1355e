using System.Net;
using Akka.Actor;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Tests;

/// <summary>
/// A node on its shipped configuration whose output is blocked (stdout nobody reads: the write never returns) and a
/// peer that floods it over real loopback TCP: the node stops reading, so the peer's sends stay refused for
/// back-pressure instead of piling up in the node's memory; once the output moves again every accepted message comes
/// out, in order, and the session goes on.
/// </summary>
public sealed class BlockedOutputBackPressureTests
{
    [Fact]
    public async Task A_blocked_output_keeps_a_flooding_peer_refused_and_loses_nothing_once_it_moves()
    {
        using var nodeKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x61));
        using var peerKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x62));
        var output = new GatedOutput();
        await using var node = NodeRuntime.Start("blocked-output", NodeConfig.Defaults(), nodeKey, AcceptAllVerifier.Instance);
        var hub = node.System.ActorOf(SessionHub.Props(node.Manager, output, echo: false, onDial: null));
        var port = await HubNodes.ListenOnLoopbackAsync(node, hub);

        var peer = KamuneSystem.Create("flooder", new KamuneNodeOptions(peerKey, AcceptAllVerifier.Instance));
        try
        {
            var events = Inbox.Create(peer);
            await KamuneExtension.Get(peer).DialAsync("127.0.0.1", port, events.Receiver);
            var session = ((SessionEstablished)await events.ReceiveAsync(TimeSpan.FromSeconds(20))).Session;

            // Large messages fill the socket buffers quickly. A refusal alone proves little (the peer's own queue can be
            // full for a moment while the kernel still takes bytes), so the peer keeps trying until nothing has been
            // accepted for two seconds. The bound keeps the test finite if the node went on reading into its memory.
            var payload = new byte[60_000];
            var accepted = 0;
            string? refusal = null;
            var lastAccepted = DateTime.UtcNow;
            while (accepted < 5_000 && DateTime.UtcNow - lastAccepted < TimeSpan.FromSeconds(2))
            {
                BitConverter.TryWriteBytes(payload, accepted);
                switch (await session.Ask<object>(new SendMessage(payload), TimeSpan.FromSeconds(10)))
                {
                    case SendAck:
                        accepted++;
                        lastAccepted = DateTime.UtcNow;
                        break;
                    case SendRefused refused:
                        refusal = refused.Reason;
                        await Task.Delay(20);
                        break;
                }
            }

            Assert.True(accepted < 5_000, "expected the node to stop reading while its output is blocked; it took 5,000 messages");
            Assert.NotNull(refusal);
            Assert.Contains("Back-pressure", refusal);

            // While the output stays blocked the node reads nothing more: the peer stays refused.
            for (var attempt = 0; attempt < 5; attempt++)
            {
                await Task.Delay(100);
                BitConverter.TryWriteBytes(payload, accepted);
                Assert.IsType<SendRefused>(await session.Ask<object>(new SendMessage(payload), TimeSpan.FromSeconds(10)));
            }

            Assert.Equal([0], output.Received);

            // The output moves: every accepted message comes out in order, and the session takes new sends again.
            output.Open();
            await output.WaitForAsync(accepted, TimeSpan.FromSeconds(30));
            BitConverter.TryWriteBytes(payload, accepted);
            var more = await session.Ask<object>(new SendMessage(payload), TimeSpan.FromSeconds(10));
            for (var attempt = 0; more is SendRefused && attempt < 100; attempt++)
            {
                await Task.Delay(50);
                more = await session.Ask<object>(new SendMessage(payload), TimeSpan.FromSeconds(10));
            }

            Assert.IsType<SendAck>(more);
            await output.WaitForAsync(accepted + 1, TimeSpan.FromSeconds(30));
            Assert.Equal(Enumerable.Range(0, accepted + 1), output.Received);
            Assert.True(accepted > 64, $"expected more accepted sends than the node's delivery window (64) before back-pressure, got {accepted}");
        }
        finally
        {
            output.Open();
            await peer.Terminate();
        }
    }

    /// <summary>Stands for stdout nobody reads: the first message's write blocks until <see cref="Open"/>.</summary>
    private sealed class GatedOutput : INodeOutput
    {
        private readonly ManualResetEventSlim _open = new(false);
        private readonly List<int> _received = new();

        public IReadOnlyList<int> Received
        {
            get
            {
                lock (_received)
                {
                    return _received.ToArray();
                }
            }
        }

        public void Emit(NodeEvent nodeEvent)
        {
            if (nodeEvent is not NodeEvent.MessageReceived message)
            {
                return;
            }

            lock (_received)
            {
                _received.Add(BitConverter.ToInt32(message.Data.Span));
            }

            // Bounded, so a failed test cannot hang the run.
            _open.Wait(TimeSpan.FromSeconds(60));
        }

        public void Open() => _open.Set();

        public async Task WaitForAsync(int count, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Received.Count < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.True(Received.Count >= count, $"expected {count} messages at the output, got {Received.Count}");
        }
    }
}

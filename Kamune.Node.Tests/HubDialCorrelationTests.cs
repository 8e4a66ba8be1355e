using System.Net;
using Akka.Actor;
using Kamune.Node.Cli;
using Kamune.Node.Hosting;
using Kamune.Node.Json;
using Kamune.Node.Trust;

namespace Kamune.Node.Tests;

/// <summary>
/// Issue 16 item 9 and issue 18 item 10 over real loopback TCP: two dials that resolve to one endpoint, written two
/// ways ("localhost:P" and "127.0.0.1:P"), with known_peers pinning the first to the listener's key and the second to
/// another key. Each dial's pin travels with its own session (Dial.Verifier) and each answer names its own request,
/// so every round the "127.0.0.1" dial is refused and the "localhost" dial is established, each told to its own
/// requester. Before, the pin was looked up by the endpoint string (one entry for both, the last dial's) and the
/// hub matched answers by address, so the pins and the requesters could swap.
/// </summary>
public sealed class HubDialCorrelationTests : IDisposable
{
    private const int Rounds = 4;

    private readonly TempHome _temp = new();

    [Fact]
    public async Task Concurrent_dials_to_one_endpoint_each_get_their_own_pin_and_their_own_answer()
    {
        using var nodeKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x81));
        using var listenerKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x82));
        using var otherKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x83));
        var listener = KamuneSystem.Create("pinned-listener", new KamuneNodeOptions(listenerKey, AcceptAllVerifier.Instance));
        try
        {
            var events = Inbox.Create(listener);
            var port = ((IPEndPoint)await KamuneExtension.Get(listener).ListenAsync("127.0.0.1", 0, events.Receiver)).Port;
            var knownPath = _temp.Sub("known_peers");
            await File.WriteAllTextAsync(knownPath,
                $"address:localhost:{port} {listenerKey.PublicIdentity.Fingerprint.Base64}\n" +
                $"address:127.0.0.1:{port} {otherKey.PublicIdentity.Fingerprint.Base64}\n");
            var known = KnownPeers.Open(knownPath);

            await using var node = NodeRuntime.Start("pinning-node", NodeConfig.Defaults(), nodeKey, known);
            var hub = node.System.ActorOf(SessionHub.Props(node.Manager, new QuietOutput(), echo: false, onDial: known.ForDial));
            for (var round = 0; round < Rounds; round++)
            {
                var byName = hub.Ask<DialOutcome>(new HubDial(new PeerAddress("localhost", port)), TimeSpan.FromSeconds(30));
                var byLiteral = hub.Ask<DialOutcome>(new HubDial(new PeerAddress("127.0.0.1", port)), TimeSpan.FromSeconds(30));

                var named = await byName;
                var literal = await byLiteral;
                Assert.True(named.Session is not null, $"round {round}: expected localhost to be established, got: {named.Error}");
                Assert.Equal("localhost", named.Address.Host);
                Assert.Null(literal.Session);
                Assert.Equal("127.0.0.1", literal.Address.Host);
                Assert.Contains($"address 127.0.0.1:{port} is known with key {otherKey.PublicIdentity.Fingerprint.Base64}", literal.Error, StringComparison.Ordinal);
                named.Actor!.Tell(CloseSession.Instance);
            }
        }
        finally
        {
            await listener.Terminate();
        }
    }

    [Fact]
    public async Task The_established_hook_hears_the_address_each_session_was_dialed_at_and_its_refusal_fails_the_dial()
    {
        using var nodeKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x84));
        using var peerKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x85));
        var peer = KamuneSystem.Create("hooked-peer", new KamuneNodeOptions(peerKey, AcceptAllVerifier.Instance));
        try
        {
            var peerEvents = Inbox.Create(peer);
            var port = ((IPEndPoint)await KamuneExtension.Get(peer).ListenAsync("127.0.0.1", 0, peerEvents.Receiver)).Port;
            var heard = new List<(string Fingerprint, PeerAddress? Dialed)>();
            await using var node = NodeRuntime.Start("hooked-node", NodeConfig.Defaults(), nodeKey, AcceptAllVerifier.Instance);
            var output = new EstablishedOutput();
            var hub = node.System.ActorOf(SessionHub.Props(node.Manager, output, echo: false, onDial: null, onEstablished: (remote, dialed) =>
            {
                lock (heard)
                {
                    heard.Add((remote.Fingerprint.Base64, dialed));
                }

                return dialed is null ? null : "pinned to another key since the Introduce";
            }));

            // A dialed session: the hook hears the address as dialed, and its refusal closes the session unnumbered.
            var outcome = await hub.Ask<DialOutcome>(new HubDial(new PeerAddress("localhost", port)), TimeSpan.FromSeconds(30));
            Assert.Null(outcome.Session);
            Assert.Contains("refused: pinned to another key since the Introduce", outcome.Error, StringComparison.Ordinal);
            Assert.Equal(CloseReason.PeerClosed, (await peerEvents.ReceiveAsync<SessionClosed>()).Reason);

            // An accepted session: no dialed address, and no refusal, so it is numbered.
            await KamuneExtension.Get(peer).DialAsync("127.0.0.1", await HubNodes.ListenOnLoopbackAsync(node, hub), peerEvents.Receiver);
            var established = await output.First.WaitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(1, established.Session);
            Assert.Equal("responder", established.Role);
            lock (heard)
            {
                Assert.Equal([(peerKey.PublicIdentity.Fingerprint.Base64, new PeerAddress("localhost", port)), (peerKey.PublicIdentity.Fingerprint.Base64, null)], heard);
            }
        }
        finally
        {
            await peer.Terminate();
        }
    }

    public void Dispose() => _temp.Dispose();

    // The hub's first session_established event: the only one a refused session never gets.
    private sealed class EstablishedOutput : INodeOutput
    {
        private readonly TaskCompletionSource<NodeEvent.SessionEstablished> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<NodeEvent.SessionEstablished> First => _first.Task;

        public void Emit(NodeEvent nodeEvent)
        {
            if (nodeEvent is NodeEvent.SessionEstablished established)
            {
                _first.TrySetResult(established);
            }
        }
    }
}

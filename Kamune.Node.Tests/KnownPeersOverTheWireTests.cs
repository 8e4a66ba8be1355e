using System.Net;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Node.Hosting;
using Kamune.Node.Json;
using Kamune.Node.Trust;

namespace Kamune.Node.Tests;

/// <summary>
/// TOFU over real loopback TCP with the node's own SessionHub as the sessions' handler (the hub pins a key once its
/// session is established). Issue 6 item 2: a known name returning with another key is refused while the first
/// session flows. Issue 16 item 2: connections that hang up right after their Introduce pin nothing.
/// </summary>
public sealed class KnownPeersOverTheWireTests : IDisposable
{
    private readonly TempHome _temp = new();
    private readonly IdentityKeyPair _node = IdentityKeyPair.Generate(new DeterministicRandomSource(31));
    private readonly IdentityKeyPair _alice = IdentityKeyPair.Generate(new DeterministicRandomSource(32));
    private readonly IdentityKeyPair _impostor = IdentityKeyPair.Generate(new DeterministicRandomSource(33));
    private readonly List<ActorSystem> _systems = new();

    [Fact]
    public async Task A_known_name_returning_with_another_key_is_rejected_while_the_first_session_flows()
    {
        var (known, port, events) = await StartNodeAsync();

        var (alice, atAlice) = Start("tofu-alice", _alice, AcceptAllVerifier.Instance, "alice");
        await KamuneExtension.Get(alice).DialAsync("127.0.0.1", port, Handler(alice, atAlice));
        var aliceAtNode = await NextAsync<NodeEvent.SessionEstablished>(events);
        var nodeAtAlice = await NextAsync<SessionEstablished>(atAlice);
        Assert.Equal("alice", aliceAtNode.Peer.Name);
        Assert.Equal(_alice.PublicIdentity.Fingerprint.Base64, known.FingerprintOf("alice", null));

        var (impostor, atImpostor) = Start("tofu-impostor", _impostor, AcceptAllVerifier.Instance, "alice");
        await KamuneExtension.Get(impostor).DialAsync("127.0.0.1", port, Handler(impostor, atImpostor));
        var refused = await NextAsync<NodeEvent.Error>(events);
        Assert.Contains("(rejected)", refused.Message, StringComparison.Ordinal);
        Assert.Contains(_impostor.PublicIdentity.Fingerprint.Base64, refused.Message, StringComparison.Ordinal);
        Assert.IsType<SessionClosed>(await NextAsync<SessionClosed>(atImpostor));

        nodeAtAlice.Session.Tell(new SendMessage(new byte[] { 1 }));
        Assert.Equal(new byte[] { 1 }, (await NextAsync<NodeEvent.MessageReceived>(events)).Data.ToArray());
        Assert.Equal(_alice.PublicIdentity.Fingerprint.Base64, KnownPeers.Open(known.Path).FingerprintOf("alice", null));
    }

    [Fact]
    public async Task Connections_that_hang_up_after_their_Introduce_pin_nothing_and_the_real_alice_is_then_accepted()
    {
        var (known, port, events) = await StartNodeAsync();

        // The attacker's own verifier refuses the node's Introduce: it hangs up right after the node checked its own.
        var names = new[] { "alice", "bob", "carol" };
        for (var i = 0; i < names.Length; i++)
        {
            using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(40 + (ulong)i));
            var (attacker, atAttacker) = Start($"attacker-{i}", key, new RefuseAll(), names[i]);
            await KamuneExtension.Get(attacker).DialAsync("127.0.0.1", port, Handler(attacker, atAttacker));
            var failed = await NextAsync<NodeEvent.Error>(events);
            Assert.Contains("incoming session", failed.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, known.Count);
        Assert.Empty(Pins(known.Path));

        var (alice, atAlice) = Start("real-alice", _alice, AcceptAllVerifier.Instance, "alice");
        await KamuneExtension.Get(alice).DialAsync("127.0.0.1", port, Handler(alice, atAlice));
        Assert.Equal("alice", (await NextAsync<NodeEvent.SessionEstablished>(events)).Peer.Name);
        await NextAsync<SessionEstablished>(atAlice);
        Assert.Equal([$"{_alice.PublicIdentity.Fingerprint.Base64} name:alice"], Pins(known.Path));
    }

    public void Dispose()
    {
        foreach (var system in _systems)
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }

        _node.Dispose();
        _alice.Dispose();
        _impostor.Dispose();
        _temp.Dispose();
    }

    private async Task<(KnownPeers Known, int Port, Channel<NodeEvent> Events)> StartNodeAsync()
    {
        var known = KnownPeers.Open(_temp.Sub("known_peers"));
        var (node, _) = Start("tofu-node", _node, known, null);
        var events = Channel.CreateUnbounded<NodeEvent>();
        var kamune = KamuneExtension.Get(node);
        var hub = node.ActorOf(SessionHub.Props(kamune.Manager, new NodeEventChannel(events.Writer), echo: false, known.ForDial, known.Established));
        var port = ((IPEndPoint)await kamune.ListenAsync("127.0.0.1", 0, hub)).Port;
        return (known, port, events);
    }

    private static string[] Pins(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray() : [];

    private (ActorSystem System, Channel<object> Events) Start(string name, IdentityKeyPair key, IIdentityVerifier verifier, string? peerName)
    {
        var config = ConfigurationFactory.ParseString(peerName is null ? "" : $"kamune.name = \"{peerName}\"");
        var system = KamuneSystem.Create(name, new KamuneNodeOptions(key, verifier), config);
        _systems.Add(system);
        return (system, Channel.CreateUnbounded<object>());
    }

    private static IActorRef Handler(ActorSystem system, Channel<object> events) => SessionChannels.Handler(system, events);

    private static Task<T> NextAsync<T>(Channel<object> channel) => SessionChannels.NextAsync<T>(channel);

    private static Task<T> NextAsync<T>(Channel<NodeEvent> channel) => SessionChannels.NextAsync<T, NodeEvent>(channel.Reader);


    private sealed class RefuseAll : IIdentityVerifier
    {
        public Task<IdentityVerdict> VerifyAsync(RemotePeer peer, CancellationToken cancellationToken) =>
            Task.FromResult(IdentityVerdict.Reject("hanging up after the Introduce"));
    }
}

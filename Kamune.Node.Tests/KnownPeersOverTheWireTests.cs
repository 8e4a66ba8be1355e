using System.Net;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Abstractions;
using Kamune.Actors;
using Kamune.Identity;
using Kamune.Node.Trust;
using Kamune.Protocol;

namespace Kamune.Node.Tests;

/// <summary>
/// Issue 6 item 2, the identity key changed between sessions under TOFU, over real loopback TCP: a node whose
/// verifier is <see cref="KnownPeers"/> meets "alice" with her key, then a second peer announcing "alice" with
/// another key. The second is refused with IdentityRejected while alice's session keeps flowing.
/// </summary>
public sealed class KnownPeersOverTheWireTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly TempHome _temp = new();
    private readonly IdentityKeyPair _node = IdentityKeyPair.Generate(new DeterministicRandomSource(31));
    private readonly IdentityKeyPair _alice = IdentityKeyPair.Generate(new DeterministicRandomSource(32));
    private readonly IdentityKeyPair _impostor = IdentityKeyPair.Generate(new DeterministicRandomSource(33));
    private readonly List<ActorSystem> _systems = new();

    [Fact]
    public async Task A_known_name_returning_with_another_key_is_rejected_while_the_first_session_flows()
    {
        var known = KnownPeers.Open(_temp.Sub("known_peers"));
        var (node, atNode) = Start("tofu-node", _node, known, null);
        var port = ((IPEndPoint)await KamuneExtension.Get(node).ListenAsync("127.0.0.1", 0, Handler(node, atNode))).Port;

        var (alice, atAlice) = Start("tofu-alice", _alice, AcceptAllVerifier.Instance, "alice");
        await KamuneExtension.Get(alice).DialAsync("127.0.0.1", port, Handler(alice, atAlice));
        var aliceAtNode = await NextAsync<SessionEstablished>(atNode);
        var nodeAtAlice = await NextAsync<SessionEstablished>(atAlice);
        Assert.Equal("alice", aliceAtNode.Peer.Name);
        Assert.Equal(_alice.PublicIdentity.Fingerprint.Base64, known.FingerprintOf("alice", null));

        var (impostor, atImpostor) = Start("tofu-impostor", _impostor, AcceptAllVerifier.Instance, "alice");
        await KamuneExtension.Get(impostor).DialAsync("127.0.0.1", port, Handler(impostor, atImpostor));
        var refused = await NextAsync<SessionClosed>(atNode);
        Assert.Equal((CloseReason.Rejected, KamuneError.IdentityRejected), (refused.Reason, refused.Error));
        Assert.Contains(_impostor.PublicIdentity.Fingerprint.Base64, refused.Detail, StringComparison.Ordinal);
        Assert.IsType<SessionClosed>(await NextAsync<SessionClosed>(atImpostor));

        nodeAtAlice.Session.Tell(new Send(new byte[] { 1 }));
        Assert.Equal(new byte[] { 1 }, (await NextAsync<MessageReceived>(atNode)).Data.ToArray());
        aliceAtNode.Session.Tell(new Send(new byte[] { 2 }));
        Assert.Equal(new byte[] { 2 }, (await NextAsync<MessageReceived>(atAlice)).Data.ToArray());
        Assert.Equal(_alice.PublicIdentity.Fingerprint.Base64, KnownPeers.Open(known.Path).FingerprintOf("alice", null));
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

    private (ActorSystem System, Channel<object> Events) Start(string name, IdentityKeyPair key, IIdentityVerifier verifier, string? peerName)
    {
        var config = ConfigurationFactory.ParseString(peerName is null ? "" : $"kamune.name = \"{peerName}\"");
        var system = KamuneSystem.Create(name, new KamuneNodeOptions(key, verifier), config);
        _systems.Add(system);
        return (system, Channel.CreateUnbounded<object>());
    }

    // The user's handler: every session event goes into a channel the test reads.
    private static IActorRef Handler(ActorSystem system, Channel<object> events) =>
        system.ActorOf(Props.Create(() => new ChannelHandler(events.Writer)));

    private static async Task<T> NextAsync<T>(Channel<object> channel)
    {
        var events = channel.Reader;
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            if (await events.ReadAsync(timeout.Token) is T wanted)
            {
                return wanted;
            }
        }
    }

    private sealed class ChannelHandler : ReceiveActor
    {
        public ChannelHandler(ChannelWriter<object> events) => ReceiveAny(m => events.TryWrite(m));
    }
}

using System.Net;
using Akka.Configuration;
using Google.Protobuf;
using Kamune.Identity;
using Kamune.Wire;

namespace Kamune.Tests.Adversarial;

/// <summary>
/// Issue 16 item 10: a Go peer's relay client sends SESSION_DATA (route 13, Go SPEC.md 5.2) once established. Route 13
/// is a session route in the reference and its unknown fields are ignored, so a Kamune.NET node ignores it (with a log
/// line) and the session goes on; its sequence number counts like any other.
/// </summary>
public sealed class SessionDataRouteTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config NodeConfig = ConfigurationFactory
        .ParseString("kamune { max-connections-per-address = 0 }")
        .WithFallback(KamuneConfig.Default);

    public SessionDataRouteTests()
        : base(NodeConfig, "session-data")
    {
    }

    [Fact]
    public async Task SESSION_DATA_after_Established_is_ignored_and_the_session_goes_on()
    {
        using var nodeKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x71));
        using var peerKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x72));
        var node = KamuneExtension.Configure(Sys, new KamuneNodeOptions(nodeKey, AcceptAllVerifier.Instance));
        var handler = CreateTestProbe();
        var local = (IPEndPoint)await node.ListenAsync("127.0.0.1", 0, handler.Ref);

        using var peer = await ScriptedPeer.ConnectAsync(local.Port, peerKey, 0x73);
        await peer.EstablishAsync();
        handler.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));

        // What Go's relayconn.DeriveRelayTokens sends: SessionData { Fields = { "ecdh_pubkey": 32 bytes } }.
        var relay = new SessionData();
        relay.Fields.Add("ecdh_pubkey", ByteString.CopyFrom(new byte[32]));
        await peer.SendDataAsync(Route.SessionData, relay.ToByteArray());
        await peer.SendAsync(Route.ExchangeMessages, "after the session data"u8.ToArray());

        var received = handler.ExpectMsg<MessageReceived>(TimeSpan.FromSeconds(10));
        Assert.Equal(("after the session data", 4UL), (System.Text.Encoding.UTF8.GetString(received.Data.Span), received.Sequence));

        // Still open both ways.
        received.Session.Tell(new SendMessage("still here"u8.ToArray()), TestActor);
        ExpectMsg<SendAck>(TimeSpan.FromSeconds(10));
        Assert.Equal("still here"u8.ToArray(), (await peer.ReceiveAsync()).Value.ToArray());
        handler.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}

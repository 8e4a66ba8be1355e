using System.Net;
using Akka.Configuration;
using Kamune.Protocol;
using Kamune.Tests.Support;

namespace Kamune.Tests.Runtime;

// A listener at its per-address limit closes the next connection at accept, before a single frame: the protocol has no
// refusal message. The dialer's SessionClosed names the likely cause instead of only "the connection ended".
public sealed class RefusedDialTests : TwoNodeTestKit
{
    private static readonly Config NodeConfig = ConfigurationFactory
        .ParseString("kamune.max-connections-per-address = 1")
        .WithFallback(KamuneConfig.Default);

    public RefusedDialTests()
        : base(NodeConfig, "refusing-listener", "dialer", 0x5A, 0x5B)
    {
    }

    [Fact]
    public async Task A_dial_refused_at_accept_ends_in_the_exchange_with_a_hint_at_the_listeners_limits()
    {
        var listenerEvents = CreateTestProbe();
        var dialerEvents = CreateTestProbe();
        var local = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, listenerEvents.Ref);

        await NodeB.DialAsync("127.0.0.1", local.Port, dialerEvents.Ref);
        dialerEvents.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));

        // The second connection from 127.0.0.1 is over the listener's limit of one.
        await NodeB.DialAsync("127.0.0.1", local.Port, dialerEvents.Ref);
        var refused = dialerEvents.ExpectMsg<SessionClosed>(TimeSpan.FromSeconds(20));
        Assert.Equal((CloseReason.ConnectionLost, KamuneError.ConnectionLost), (refused.Reason, refused.Error));
        Assert.Null(refused.SessionId);
        Assert.StartsWith("Exchange: ", refused.Detail);
        Assert.Contains("kamune.max-connections-per-address", refused.Detail);

        // The listener's side saw only its one session; nothing about the refused connection reaches its handler.
        listenerEvents.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));
        listenerEvents.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}

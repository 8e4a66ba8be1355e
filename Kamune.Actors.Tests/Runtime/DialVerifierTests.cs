using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Tests.Support;

namespace Kamune.Tests.Runtime;

// Dial.Verifier: a dial may bring the verifier for its one session (kamune-node binds a TOFU address pin to the session
// this way), used instead of the node's; other sessions keep the node's.
public sealed class DialVerifierTests : TwoNodeTestKit
{
    public DialVerifierTests()
        : base(ConfigurationFactory.ParseString("akka.loglevel = WARNING"), "dial-verifier-listener", "dial-verifier-dialer", 0x5C, 0x5D)
    {
    }

    [Fact]
    public async Task A_dial_with_its_own_verifier_is_judged_by_it_and_the_next_dial_by_the_node_verifier()
    {
        var listenerEvents = CreateTestProbe();
        var dialerEvents = CreateTestProbe();
        var port = ((IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, listenerEvents.Ref)).Port;

        var refusing = new RefusingVerifier();
        Assert.IsType<DialConnected>(await NodeB.Manager.Ask<object>(new DialPeer("127.0.0.1", port, dialerEvents.Ref, refusing), TimeSpan.FromSeconds(10)));
        var refused = dialerEvents.ExpectMsg<SessionClosed>(TimeSpan.FromSeconds(20));
        Assert.Equal((CloseReason.Rejected, KamuneError.IdentityRejected), (refused.Reason, refused.Error));
        Assert.Contains("refused by the dial's own verifier", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(KeyA.PublicIdentity.Fingerprint.Base64, Assert.Single(refusing.Seen));

        // The node's verifier (accept all) judges a dial that brings none.
        Assert.IsType<DialConnected>(await NodeB.Manager.Ask<object>(new DialPeer("127.0.0.1", port, dialerEvents.Ref), TimeSpan.FromSeconds(10)));
        dialerEvents.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));
        Assert.Single(refusing.Seen);
    }

    private sealed class RefusingVerifier : IIdentityVerifier
    {
        public List<string> Seen { get; } = new();

        public Task<IdentityVerdict> VerifyAsync(RemotePeer peer, CancellationToken cancellationToken)
        {
            lock (Seen)
            {
                Seen.Add(peer.Identity.Fingerprint.Base64);
            }

            return Task.FromResult(IdentityVerdict.Reject("refused by the dial's own verifier"));
        }
    }
}

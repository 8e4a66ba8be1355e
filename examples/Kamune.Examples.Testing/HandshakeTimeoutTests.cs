using Kamune.TestKit;

namespace Kamune.Examples.Testing;

public sealed class HandshakeTimeoutTests : ProtocolTestKit
{
    [Fact]
    public void A_handshake_the_peer_never_answers_ends_once_the_scheduler_passes_the_handshake_timeout()
    {
        // The responder's frames never reach the initiator: the exchange cannot finish.
        var options = PeerPairOptions.FromSystem(Sys) with { TamperToInitiator = FrameTampers.SilentFrom(0) };
        using var pair = PeerPair.Start(this, options);

        // Both timers run now (kamune.handshake-timeout from this kit's config), so Advance cannot come too early.
        var (timeout, _) = pair.ExpectHandshakeTimersArmed();
        Assert.Equal(TimeSpan.FromSeconds(5), timeout);

        Scheduler.Advance(timeout - TimeSpan.FromSeconds(1));
        pair.InitiatorHandler.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Scheduler.Advance(TimeSpan.FromSeconds(1));
        var closed = pair.InitiatorHandler.ExpectMsg<SessionClosed>();
        Assert.Equal((CloseReason.Timeout, KamuneError.HandshakeTimeout), (closed.Reason, closed.Error));
    }
}

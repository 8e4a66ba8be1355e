using Akka.Configuration;
using Akka.IO;
using Kamune.Tests.Actors;

namespace Kamune.Tests.TestKit;

// Issue 17 items 5 and 7: the TestKit's two-peer harness as a test author uses it, from its public surface only.
public sealed class PeerPairTests : PeerTestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void A_standalone_session_tells_its_parent_nothing_only_the_manager_understands()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            pair.Initiator.Tell(new SendMessage("hi"u8.ToArray()), TestActor);
            ExpectMsg<SendAck>();
            pair.ResponderHandler.ExpectMsg<MessageReceived>();
            pair.Initiator.Tell(CloseSession.Instance, TestActor);
            pair.InitiatorHandler.ExpectMsg<SessionClosed>();
            pair.ResponderHandler.ExpectMsg<SessionClosed>();
            pair.Parent.ExpectNoMsg(Quiet);
        }
    }

    [Fact]
    public void Once_both_handshake_timers_are_armed_Advance_alone_times_the_handshake_out()
    {
        // The responder never hears the initiator: neither side gets past the exchange.
        using var pair = PeerPair.Start(this, Options with { TamperToResponder = FrameTampers.SilentFrom(0) });
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)), pair.ExpectHandshakeTimersArmed());

        Scheduler.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(KamuneError.HandshakeTimeout, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Error);
        Assert.Equal(KamuneError.HandshakeTimeout, pair.ResponderHandler.ExpectMsg<SessionClosed>().Error);
    }

    [Fact]
    public void Sessions_run_with_the_timeouts_and_windows_of_the_settings_they_were_given()
    {
        var settings = KamuneSettings.Create(ConfigurationFactory.ParseString("kamune { handshake-timeout = 7s, send-window = 3 }"));
        var options = PeerPairOptions.FromSettings(settings) with { TamperToResponder = FrameTampers.Drop(2) };
        Assert.Equal((3, settings.DeliveryWindow, settings.IdleTimeout), (options.SendWindow, options.DeliveryWindow, options.IdleTimeout));

        // The initiator's Introduce is lost: the handshake stalls until kamune.handshake-timeout, 7 s here.
        using var pair = PeerPair.Start(this, options);
        Assert.Equal((TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7)), pair.ExpectHandshakeTimersArmed());
        Scheduler.Advance(TimeSpan.FromSeconds(6));
        pair.InitiatorHandler.ExpectNoMsg(Quiet);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(KamuneError.HandshakeTimeout, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Error);
        Assert.Equal(3, pair.InitiatorFrames.Count);
    }

    [Fact]
    public void Default_options_are_the_reference_configurations_and_FromSystem_reads_the_systems()
    {
        var reference = KamuneSettings.Create(Config.Empty);
        var defaults = new PeerPairOptions();
        Assert.Equal(
            (reference.HandshakeTimeout, reference.IdleTimeout, reference.KeepAliveInterval, reference.SendWindow, reference.DeliveryWindow),
            (defaults.HandshakeTimeout, defaults.IdleTimeout, defaults.KeepAliveInterval, defaults.SendWindow, defaults.DeliveryWindow));
        // PeerTestKit's own configuration: no idle timeout, send window 16, no DeliveryAck.
        Assert.Equal((TimeSpan.Zero, 16, 0), (Options.IdleTimeout, Options.SendWindow, Options.DeliveryWindow));
    }

    [Fact]
    public void An_injected_copy_of_a_session_frame_ends_the_receiving_session_out_of_sync_and_the_capture_holds_what_was_written()
    {
        var tamper = FrameTampers.At(6, frame => [frame, frame]);
        var (pair, _, _) = PeerPair.Established(this, Options with { TamperToResponder = tamper });
        using (pair)
        {
            pair.Initiator.Tell(new SendMessage("once"u8.ToArray()), TestActor);
            Assert.Equal(3UL, pair.ResponderHandler.ExpectMsg<MessageReceived>().Sequence);
            Assert.Equal(KamuneError.OutOfSync, pair.ResponderHandler.ExpectMsg<SessionClosed>().Error);
            Assert.Equal(7, pair.InitiatorFrames.Count);
            Assert.Equal(pair.InitiatorFrames.Snapshot().Select(f => f.Length).Sum() + 2 * 7, pair.InitiatorFrames.ToStream().Length);
        }
    }

    [Fact]
    public void A_replaced_frame_arrives_in_place_of_the_written_one()
    {
        var garbage = ByteString.FromBytes(new byte[1216]);
        using var pair = PeerPair.Start(this, Options with { TamperToResponder = FrameTampers.Replace(0, _ => garbage) });
        // An all-zero X-Wing key is not a key the responder can encapsulate to.
        Assert.Equal(CloseReason.ProtocolError, pair.ResponderHandler.ExpectMsg<SessionClosed>().Reason);
        Assert.Equal(1216, pair.InitiatorFrames[0].Length);
        Assert.NotEqual(garbage.ToArray(), pair.InitiatorFrames[0]);
    }
}

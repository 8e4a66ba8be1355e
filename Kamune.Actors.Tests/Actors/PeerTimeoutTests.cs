using Akka.Actor;
using Kamune.Actors.Runtime;
using Kamune.Protocol;
using Kamune.Tests.Session;

namespace Kamune.Tests.Actors;

/// <summary>Handshake and idle timeouts in virtual time: the test scheduler moves only when Advance says so.</summary>
public sealed class PeerTimeoutTests : PeerTestKit
{
    private IActorRef Lonely(SessionRole role, Akka.TestKit.TestProbe connection, Akka.TestKit.TestProbe handler, IdentityKeyPair key) =>
        Sys.ActorOf(PeerActor.Props(new PeerOptions(
            role, connection, handler, key, "lonely", "0.7.0", AcceptAllVerifier.Instance, new DeterministicRandomSource(3),
            new ManualClock(PureSession.Start), null, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), null, 65535, 16,
            Monotonic: new SchedulerClock(Sys.Scheduler))));

    [Fact]
    public void Handshake_that_does_not_finish_in_time_ends_with_HandshakeTimeout_and_stops_the_peer()
    {
        using var key = IdentityKeyPair.FromSeed(PureSession.Seed(3, 1));
        var connection = CreateTestProbe();
        var handler = CreateTestProbe();
        var peer = Lonely(SessionRole.Initiator, connection, handler, key);
        Watch(peer);
        Assert.Equal(1216, connection.ExpectMsg<WriteFrame>().Payload.Count);

        Scheduler.Advance(TimeSpan.FromSeconds(29));
        handler.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Scheduler.Advance(TimeSpan.FromSeconds(1));
        var closed = handler.ExpectMsg<SessionClosed>();
        Assert.Equal((CloseReason.Timeout, KamuneError.HandshakeTimeout, null), (closed.Reason, closed.Error, closed.SessionId));
        Assert.Contains("got stuck in Exchange", closed.Detail);
        Assert.True(connection.ExpectMsg<CloseConnection>().Abort);
        ExpectTerminated(peer);
    }

    [Fact]
    public void Established_session_is_not_ended_by_the_handshake_timer()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            Scheduler.Advance(TimeSpan.FromMinutes(10));
            pair.InitiatorHandler.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
            pair.Initiator.Tell(new SendMessage("still here"u8.ToArray()), TestActor);
            Assert.Equal(3UL, ExpectMsg<SendAck>().Sequence);
        }
    }

    [Fact]
    public void Session_without_inbound_frames_for_the_idle_timeout_ends_with_IdleTimeout()
    {
        var (pair, _, _) = PeerPair.Established(this, Options with { IdleTimeout = TimeSpan.FromMinutes(5) });
        using (pair)
        {
            Watch(pair.Initiator);
            Scheduler.Advance(TimeSpan.FromMinutes(4));
            pair.InitiatorHandler.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
            Scheduler.Advance(TimeSpan.FromMinutes(1));
            var closed = pair.InitiatorHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.Timeout, KamuneError.IdleTimeout), (closed.Reason, closed.Error));
            ExpectTerminated(pair.Initiator);
        }
    }

    [Fact]
    public void An_inbound_frame_restarts_the_idle_timer()
    {
        var (pair, _, _) = PeerPair.Established(this, Options with { IdleTimeout = TimeSpan.FromMinutes(5) });
        using (pair)
        {
            // At minute 4 only the initiator hears something; at minute 6 only the responder's timer has run out.
            Scheduler.Advance(TimeSpan.FromMinutes(4));
            pair.Responder.Tell(new SendMessage("keep me"u8.ToArray()), TestActor);
            ExpectMsg<SendAck>();
            pair.InitiatorHandler.ExpectMsg<MessageReceived>();

            Scheduler.Advance(TimeSpan.FromMinutes(2));
            Assert.Equal(KamuneError.IdleTimeout, pair.ResponderHandler.ExpectMsg<SessionClosed>().Error);
            Assert.Equal(CloseReason.ConnectionLost, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
        }
    }

    [Fact]
    public void The_idle_timeout_counts_from_the_last_frame_not_from_when_its_timer_was_set()
    {
        var (pair, _, _) = PeerPair.Established(this, Options with { IdleTimeout = TimeSpan.FromMinutes(5) });
        using (pair)
        {
            // Frames both ways at minute 4; the timers set at minute 0 fire at minute 5 and must wait until minute 9.
            Scheduler.Advance(TimeSpan.FromMinutes(4));
            pair.Responder.Tell(new SendMessage("to initiator"u8.ToArray()), TestActor);
            pair.Initiator.Tell(new SendMessage("to responder"u8.ToArray()), TestActor);
            ExpectMsg<SendAck>();
            ExpectMsg<SendAck>();
            pair.InitiatorHandler.ExpectMsg<MessageReceived>();
            pair.ResponderHandler.ExpectMsg<MessageReceived>();

            Scheduler.Advance(TimeSpan.FromMinutes(4.5));
            pair.InitiatorHandler.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
            pair.ResponderHandler.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

            Scheduler.Advance(TimeSpan.FromMinutes(1));
            var closed = new[] { pair.InitiatorHandler.ExpectMsg<SessionClosed>(), pair.ResponderHandler.ExpectMsg<SessionClosed>() };
            Assert.Contains(closed, c => c.Error == KamuneError.IdleTimeout);
        }
    }

    [Fact]
    public void Stopping_the_session_from_outside_still_reports_SessionClosed_once_and_aborts_the_connection()
    {
        using var key = IdentityKeyPair.FromSeed(PureSession.Seed(3, 2));
        var connection = CreateTestProbe();
        var handler = CreateTestProbe();
        var peer = Lonely(SessionRole.Responder, connection, handler, key);
        Watch(peer);
        Sys.Stop(peer);
        ExpectTerminated(peer);
        Assert.Equal(CloseReason.LocalClose, handler.ExpectMsg<SessionClosed>().Reason);
        Assert.True(connection.ExpectMsg<CloseConnection>().Abort);
        handler.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Inbound_frames_are_acknowledged_only_after_they_are_handled()
    {
        using var key = IdentityKeyPair.FromSeed(PureSession.Seed(3, 3));
        var connection = CreateTestProbe();
        var handler = CreateTestProbe();
        var peer = Lonely(SessionRole.Responder, connection, handler, key);
        peer.Tell(new ConnectionInit(TestActor), connection.Ref);
        ExpectMsg<FrameAck>();

        // A well-formed initiator key: the responder answers with exchange frame 2, then asks for the next frame.
        using var initiator = new Kamune.Protocol.ExchangeInitiator(new DeterministicRandomSource(9));
        peer.Tell(new FrameReceived(Akka.IO.ByteString.FromBytes(initiator.FirstFrame())), TestActor);
        Assert.Equal(2338, connection.ExpectMsg<WriteFrame>().Payload.Count);
        ExpectMsg<FrameAck>();

        // A frame larger than allowed ends the session without an ack.
        Watch(peer);
        peer.Tell(new FrameReceived(Akka.IO.ByteString.FromBytes(new byte[65536])), TestActor);
        Assert.Equal(KamuneError.FrameTooLarge, handler.ExpectMsg<SessionClosed>().Error);
        ExpectTerminated(peer);
    }
}

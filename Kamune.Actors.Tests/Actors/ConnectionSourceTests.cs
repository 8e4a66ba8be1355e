using Akka.Actor;
using Kamune.Actors.Runtime;
using Kamune.Tests.Session;

namespace Kamune.Tests.Actors;

/// <summary>
/// Issue 18 item 9: a session takes the connection contract only from its own connection. ConnectionInit comes from
/// its writer (naming the inbound stage), frames and the end of the connection from that stage, a failure also from
/// the writer; from anyone else each is dropped with a warning and the session stays up.
/// </summary>
public sealed class ConnectionSourceTests : PeerTestKit
{
    private const string Dropped = "not from this session's connection";

    [Fact]
    public void A_strangers_ConnectionCompleted_or_ConnectionFailed_is_ignored_with_a_warning_and_the_session_stays_up()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            var stranger = CreateTestProbe();
            EventFilter.Warning(contains: Dropped).Expect(4, () =>
            {
                pair.Responder.Tell(ConnectionCompleted.Instance, stranger.Ref);
                pair.Responder.Tell(new ConnectionFailed(new IOException("Connection reset by peer.")), stranger.Ref);
                pair.Responder.Tell(new ConnectionFailed(new KamuneProtocolException(KamuneError.FrameTruncated, "Frame: expected 100 bytes, got 3.")), stranger.Ref);
                pair.Responder.Tell(new ConnectionFailed(new KamuneProtocolException(KamuneError.PeerNotReading, "not reading")), stranger.Ref);
            });

            pair.Initiator.Tell(new SendMessage("still here"u8.ToArray(), 1), TestActor);
            Assert.Equal("still here"u8.ToArray(), pair.ResponderHandler.ExpectMsg<MessageReceived>().Data.ToArray());
            ExpectMsg<SendAck>();
            pair.Responder.Tell(new SendMessage("and here"u8.ToArray(), 2), TestActor);
            Assert.Equal("and here"u8.ToArray(), pair.InitiatorHandler.ExpectMsg<MessageReceived>().Data.ToArray());
            ExpectMsg<SendAck>();
            pair.ResponderHandler.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        }
    }

    [Fact]
    public void A_strangers_connection_end_while_closing_does_not_cut_the_goodbye_short()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            var stranger = CreateTestProbe();
            EventFilter.Warning(contains: Dropped).ExpectOne(() => WhileSuspended(pair.Responder, () =>
            {
                // Processed in this order: the close puts the session in Closing, then the stranger's end arrives.
                pair.Responder.Tell(CloseSession.Instance);
                pair.Responder.Tell(ConnectionCompleted.Instance, stranger.Ref);
            }));

            var closed = pair.ResponderHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.LocalClose, "Closed by this side."), (closed.Reason, closed.Detail));
            // CLOSE_TRANSPORT went out: the peer hears a goodbye, not a lost connection.
            Assert.Equal(CloseReason.PeerClosed, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
        }
    }

    [Fact]
    public void Only_the_writers_ConnectionInit_names_the_inbound_stage_and_a_strangers_end_before_it_is_ignored()
    {
        using var key = IdentityKeyPair.FromSeed(PureSession.Seed(3, 7));
        var writer = CreateTestProbe();
        var handler = CreateTestProbe();
        var stranger = CreateTestProbe();
        var inbound = CreateTestProbe();
        var peer = Sys.ActorOf(PeerActor.Props(new PeerOptions(
            SessionRole.Responder, writer, handler, key, "lonely", "0.7.0", AcceptAllVerifier.Instance, new DeterministicRandomSource(3),
            new ManualClock(PureSession.Start), null, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), null, 65535, 16,
            Monotonic: new SchedulerClock(Sys.Scheduler))));

        EventFilter.Warning(contains: Dropped).Expect(3, () =>
        {
            // A stranger that claims to be the stream, first: not taken, not acknowledged.
            peer.Tell(new ConnectionInit(stranger.Ref), stranger.Ref);
            peer.Tell(ConnectionCompleted.Instance, stranger.Ref);
            peer.Tell(new ConnectionFailed(new IOException("reset")), stranger.Ref);
        });
        stranger.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // The writer names the stage: acknowledged there; a second naming, even from the writer, is not taken.
        peer.Tell(new ConnectionInit(inbound.Ref), writer.Ref);
        inbound.ExpectMsg<FrameAck>();
        EventFilter.Warning(contains: Dropped).ExpectOne(() => peer.Tell(new ConnectionInit(stranger.Ref), writer.Ref));

        // The stage's own end is the connection's: the session ends.
        Watch(peer);
        peer.Tell(ConnectionCompleted.Instance, inbound.Ref);
        Assert.Equal(CloseReason.ConnectionLost, handler.ExpectMsg<SessionClosed>().Reason);
        ExpectTerminated(peer);
        stranger.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}

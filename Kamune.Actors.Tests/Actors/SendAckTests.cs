using Akka.Actor;
using Kamune.Actors.Runtime;
using Answering = Kamune.TestKit.InMemoryConnection.Answering;

namespace Kamune.Tests.Actors;

/// <summary>
/// Issue 18 item 1: a send is acknowledged only once the live connection writer took its frame (FrameWritten, or
/// FrameHeld for a frame it holds behind a full queue); one it dropped, or never confirmed before it stopped, is
/// refused as Closed. The initiator's wire plays the writer's answers (InMemoryConnection.Answer).
/// </summary>
public sealed class SendAckTests : PeerTestKit
{
    [Fact]
    public void A_send_whose_writer_stops_before_confirming_its_frame_is_refused_as_Closed_never_acknowledged()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            var writer = CreateTestProbe();
            pair.InitiatorConnection.Tell(new InMemoryConnection.Answer(Answering.Nothing, writer.Ref));
            pair.Initiator.Tell(new SendMessage("sealed, never taken"u8.ToArray(), 1), TestActor);

            // Sealed and handed to the writer, which has not taken it: no answer yet.
            writer.ExpectMsg<WriteFrame>();
            ExpectNoMsg(TimeSpan.FromMilliseconds(200));

            Watch(pair.Initiator);
            Sys.Stop(pair.InitiatorConnection);
            var refused = ExpectMsg<SendRefused>();
            Assert.Equal((SendRefusalKind.Closed, (object?)1), (refused.Kind, refused.CorrelationId));
            Assert.Equal(CloseReason.ConnectionLost, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
            ExpectTerminated(pair.Initiator);
            ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        }
    }

    [Fact]
    public void A_frame_the_writer_holds_is_acknowledged_at_once_and_its_later_FrameWritten_takes_no_other_send()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            pair.InitiatorConnection.Tell(new InMemoryConnection.Answer(Answering.Held));
            pair.Initiator.Tell(new SendMessage("held"u8.ToArray(), 1), TestActor);
            Assert.Equal((object?)1, ExpectMsg<SendAck>().CorrelationId);

            // The next frame is told but not answered yet when the held one's FrameWritten comes: it stays unanswered.
            var writer = CreateTestProbe();
            pair.InitiatorConnection.Tell(new InMemoryConnection.Answer(Answering.Nothing, writer.Ref));
            pair.Initiator.Tell(new SendMessage("not taken"u8.ToArray(), 2), TestActor);
            writer.ExpectMsg<WriteFrame>();
            pair.InitiatorConnection.Tell(InMemoryConnection.Release.Instance);
            ExpectNoMsg(TimeSpan.FromMilliseconds(200));

            Sys.Stop(pair.InitiatorConnection);
            Assert.Equal((SendRefusalKind.Closed, (object?)2), ExpectMsg<SendRefused>() is var r ? (r.Kind, r.CorrelationId) : default);
        }
    }

    [Fact]
    public void A_held_frame_keeps_its_place_in_the_send_window_until_FrameWritten()
    {
        var (pair, _, _) = PeerPair.Established(this, Options with { SendWindow = 1 });
        using (pair)
        {
            pair.InitiatorConnection.Tell(new InMemoryConnection.Answer(Answering.Held));
            pair.Initiator.Tell(new SendMessage("held"u8.ToArray(), 1), TestActor);
            Assert.Equal((object?)1, ExpectMsg<SendAck>().CorrelationId);

            // Acknowledged, but the budget is the back-pressure signal: it stays taken until the queue takes the frame.
            pair.Initiator.Tell(new SendMessage("over"u8.ToArray(), 2), TestActor);
            Assert.Equal(SendRefusalKind.BackPressure, ExpectMsg<SendRefused>().Kind);
            pair.InitiatorConnection.Tell(new InMemoryConnection.Answer(Answering.Written));
            pair.InitiatorConnection.Tell(InMemoryConnection.Release.Instance);
            ExpectMsg<SendWindowOpen>();
            pair.Initiator.Tell(new SendMessage("over"u8.ToArray(), 2), TestActor);
            Assert.Equal((object?)2, ExpectMsg<SendAck>().CorrelationId);
        }
    }

    [Fact]
    public void A_frame_the_writer_drops_is_refused_as_Closed_and_the_next_taken_one_is_acknowledged()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            pair.InitiatorConnection.Tell(new InMemoryConnection.Answer(Answering.Dropped));
            pair.Initiator.Tell(new SendMessage("dropped"u8.ToArray(), 1), TestActor);
            var refused = ExpectMsg<SendRefused>();
            Assert.Equal((SendRefusalKind.Closed, (object?)1), (refused.Kind, refused.CorrelationId));

            pair.InitiatorConnection.Tell(new InMemoryConnection.Answer(Answering.Written));
            pair.Initiator.Tell(new SendMessage("written"u8.ToArray(), 2), TestActor);
            Assert.Equal((object?)2, ExpectMsg<SendAck>().CorrelationId);
        }
    }

    [Fact]
    public void Sends_told_just_before_a_graceful_close_are_acknowledged_once_the_writer_took_them()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            WhileSuspended(pair.Initiator, () =>
            {
                for (var i = 1; i <= 3; i++)
                {
                    pair.Initiator.Tell(new SendMessage("before the close"u8.ToArray(), i), TestActor);
                }

                pair.Initiator.Tell(CloseSession.Instance);
            });

            // Sealed with CLOSE_TRANSPORT in one batch: the session waits for the writer's answers before it stops.
            Assert.Equal(new object?[] { 1, 2, 3 }, ReceiveN(3).Cast<SendAck>().Select(a => a.CorrelationId));
            Assert.Equal(CloseReason.LocalClose, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
            Assert.Equal(3, Enumerable.Range(0, 3).Select(_ => pair.ResponderHandler.ExpectMsg<MessageReceived>()).Count());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_graceful_close_waiting_for_the_writer_refuses_what_was_not_taken_once_stopped_or_past_its_bound(bool stoppedFromOutside)
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            var writer = CreateTestProbe();
            pair.InitiatorConnection.Tell(new InMemoryConnection.Answer(Answering.Nothing, writer.Ref));
            WhileSuspended(pair.Initiator, () =>
            {
                pair.Initiator.Tell(new SendMessage("never taken"u8.ToArray(), 1), TestActor);
                pair.Initiator.Tell(CloseSession.Instance);
            });

            // The message and CLOSE_TRANSPORT went to a writer that answers neither; a later send finds the session
            // ended, waiting for those answers, and the first send still unanswered.
            writer.ExpectMsg<WriteFrame>();
            writer.ExpectMsg<WriteFrame>();
            var late = CreateTestProbe();
            pair.Initiator.Tell(new SendMessage("late"u8.ToArray(), 2), late.Ref);
            Assert.Equal(SendRefusalKind.Closed, late.ExpectMsg<SendRefused>().Kind);
            Assert.False(HasMessages);

            Watch(pair.Initiator);
            if (stoppedFromOutside)
            {
                pair.Initiator.Tell(PoisonPill.Instance);
            }
            else
            {
                Scheduler.Advance(TimeSpan.FromSeconds(5));
            }

            Assert.Equal((SendRefusalKind.Closed, (object?)1), ExpectMsg<SendRefused>() is var r ? (r.Kind, r.CorrelationId) : default);
            Assert.Equal(CloseReason.LocalClose, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
            ExpectTerminated(pair.Initiator);
        }
    }
}

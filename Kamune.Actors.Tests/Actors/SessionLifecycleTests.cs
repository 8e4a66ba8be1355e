using Akka.Actor;
using Akka.IO;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Actors;

/// <summary>
/// Issue 18 items 1, 2, 3 and 9, issue 17 item 1: what a session does when its connection (also while it closes) or
/// handler goes away, when it is stopped from outside, when a stranger sends it frames, and how refusals keep a
/// sender's stream in order.
/// </summary>
public sealed class SessionLifecycleTests : PeerTestKit
{
    [Fact]
    public void A_session_whose_writer_stops_ends_at_once_as_ConnectionLost()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            Watch(pair.Initiator);
            Sys.Stop(pair.InitiatorConnection);

            var closed = pair.InitiatorHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.ConnectionLost, KamuneError.ConnectionLost), (closed.Reason, closed.Error));
            Assert.Contains("writer stopped", closed.Detail);
            ExpectTerminated(pair.Initiator);

            // Gone with its connection: a later send is never acknowledged (nothing could write it).
            pair.Initiator.Tell(new SendMessage("lost"u8.ToArray(), 1), TestActor);
            ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        }
    }

    [Fact]
    public void Sends_waiting_for_the_cipher_when_the_writer_stops_are_refused_not_acknowledged()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            WhileSuspended(pair.Initiator, () =>
            {
                for (var i = 1; i <= 3; i++)
                {
                    pair.Initiator.Tell(new SendMessage("late"u8.ToArray(), i), TestActor);
                }

                Sys.Stop(pair.InitiatorConnection);
            });

            // Each send is answered exactly once; whatever was not written by then is refused as Closed.
            var answers = ReceiveN(3).ToList();
            Assert.All(answers, a => Assert.True(a is SendAck or SendRefused { Kind: SendRefusalKind.Closed }, $"got {a}"));
            Assert.Equal(CloseReason.ConnectionLost, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
            ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        }
    }

    [Fact]
    public void A_failure_the_writer_reports_ends_the_session_at_once_with_its_kind_even_with_deliveries_held()
    {
        var (pair, _, _) = PeerPair.Established(this, Options with { DeliveryWindow = 1 });
        using (pair)
        {
            for (var i = 0; i < 3; i++)
            {
                pair.Initiator.Tell(new SendMessage("held"u8.ToArray()), TestActor);
            }

            pair.ResponderHandler.ExpectMsg<MessageReceived>();
            // What the writer tells its session when the peer does not read past the write deadline (issue 16 item 1).
            var notReading = new KamuneProtocolException(KamuneError.PeerNotReading, "Write: expected the peer to read within 2 s, got nothing read.");
            pair.Responder.Tell(new ConnectionFailed(notReading), pair.ResponderConnection);

            var closed = pair.ResponderHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.Timeout, KamuneError.PeerNotReading), (closed.Reason, closed.Error));
        }
    }

    [Fact]
    public async Task A_session_whose_writer_stops_while_it_is_closing_ends_at_once_as_LocalClose()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            // The cipher takes nothing: CLOSE_TRANSPORT stays unsealed, so the session stays in Closing.
            var cipher = (IInternalActorRef)await Sys.ActorSelection(pair.Initiator.Path / "cipher").ResolveOne(TimeSpan.FromSeconds(10));
            cipher.Suspend();
            pair.Initiator.Tell(CloseSession.Instance);
            pair.Initiator.Tell(new SendMessage("too late"u8.ToArray(), 1), TestActor);
            Assert.Equal(SendRefusalKind.Closing, ExpectMsg<SendRefused>().Kind);

            Watch(pair.Initiator);
            Sys.Stop(pair.InitiatorConnection);

            // At once: no timer had to fire (virtual time stands still), and the reason stays this side's close.
            var closed = pair.InitiatorHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.LocalClose, (KamuneError?)null), (closed.Reason, closed.Error));
            Assert.Contains("writer stopped before CLOSE_TRANSPORT was written", closed.Detail);
            ExpectTerminated(pair.Initiator);
        }
    }

    [Fact]
    public void A_session_whose_handler_stops_closes_gracefully_and_the_peer_hears_CLOSE_TRANSPORT()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            Watch(pair.Initiator);
            Sys.Stop(pair.InitiatorHandler.Ref);
            var there = pair.ResponderHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.PeerClosed, KamuneError.PeerDisconnected), (there.Reason, there.Error));
            ExpectTerminated(pair.Initiator);
        }
    }

    [Fact]
    public void A_session_whose_handler_stops_before_it_is_established_ends_without_waiting_for_the_handshake()
    {
        using var pair = PeerPair.Start(this, Options with { ResponderVerifier = new PendingVerifier() });
        Watch(pair.Responder);
        Sys.Stop(pair.ResponderHandler.Ref);
        ExpectTerminated(pair.Responder);
        Assert.Equal(CloseReason.ConnectionLost, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
    }

    [Fact]
    public void Sends_waiting_for_establishment_are_each_refused_when_the_session_is_stopped_from_outside()
    {
        using var pair = PeerPair.Start(this, Options with { ResponderVerifier = new PendingVerifier() });
        for (var i = 1; i <= 3; i++)
        {
            pair.Initiator.Tell(new SendMessage("early"u8.ToArray(), i), TestActor);
        }

        pair.Initiator.Tell(PoisonPill.Instance);

        var answers = ReceiveN(3).Cast<SendRefused>().ToList();
        Assert.Equal(new object?[] { 1, 2, 3 }, answers.Select(a => a.CorrelationId));
        Assert.All(answers, a => Assert.Equal(SendRefusalKind.Closed, a.Kind));
        Assert.Equal(CloseReason.LocalClose, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_send_beyond_the_queue_for_early_sends_is_refused_as_not_established_and_the_queued_ones_go_out_in_order()
    {
        var verifier = new PendingVerifier();
        using var pair = PeerPair.Start(this, Options with { ResponderVerifier = verifier, SendWindow = 2 });
        pair.Initiator.Tell(new SendMessage("one"u8.ToArray(), 1), TestActor);
        pair.Initiator.Tell(new SendMessage("two"u8.ToArray(), 2), TestActor);
        pair.Initiator.Tell(new SendMessage("three"u8.ToArray(), 3), TestActor);
        Assert.Equal((SendRefusalKind.NotEstablished, (object?)3), ExpectMsg<SendRefused>() is var r ? (r.Kind, r.CorrelationId) : default);

        verifier.Accept();
        pair.InitiatorHandler.ExpectMsg<SessionEstablished>();
        // Acknowledged as the connection takes each frame: the refused sender's SendWindowOpen may come between.
        var answers = ReceiveN(3).ToList();
        Assert.Equal([new SendAck(3, 1), new SendAck(4, 2)], answers.OfType<SendAck>());
        Assert.Equal(pair.Initiator, Assert.Single(answers.OfType<SendWindowOpen>()).Session);
        pair.ResponderHandler.ExpectMsg<SessionEstablished>();
        Assert.Equal("one"u8.ToArray(), pair.ResponderHandler.ExpectMsg<MessageReceived>().Data.ToArray());
        Assert.Equal("two"u8.ToArray(), pair.ResponderHandler.ExpectMsg<MessageReceived>().Data.ToArray());
    }

    [Fact]
    public void A_send_during_the_close_is_refused_as_Closing()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            WhileSuspended(pair.Initiator, () =>
            {
                pair.Initiator.Tell(CloseSession.Instance);
                pair.Initiator.Tell(new SendMessage("too late"u8.ToArray(), 1), TestActor);
            });
            Assert.Equal(SendRefusalKind.Closing, ExpectMsg<SendRefused>().Kind);
            Assert.Equal(CloseReason.LocalClose, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
        }
    }

    [Fact]
    public void A_sender_that_retries_its_refused_sends_oldest_first_on_SendWindowOpen_keeps_its_stream_in_order()
    {
        var (pair, _, _) = PeerPair.Established(this, Options with { SendWindow = 4 });
        using (pair)
        {
            static SendMessage Numbered(int i) => new(new[] { (byte)i }, i);
            WhileSuspended(pair.Initiator, () =>
            {
                for (var i = 1; i <= 6; i++)
                {
                    pair.Initiator.Tell(Numbered(i), TestActor);
                }
            });

            // 1-4 fill the budget; 5 is refused for back-pressure and 6, though there may be room by then, with it.
            var answers = ReceiveN(7).ToList();
            Assert.Equal([1, 2, 3, 4], answers.OfType<SendAck>().Select(a => (int)a.CorrelationId!));
            Assert.Equal([5, 6], answers.OfType<SendRefused>().Select(a => (int)a.CorrelationId!));
            Assert.All(answers.OfType<SendRefused>(), a => Assert.Equal(SendRefusalKind.BackPressure, a.Kind));
            Assert.Equal(pair.Initiator, Assert.Single(answers.OfType<SendWindowOpen>()).Session);

            // Out of order, the later one stays refused; oldest first, both go.
            pair.Initiator.Tell(Numbered(6), TestActor);
            Assert.Equal(SendRefusalKind.BackPressure, ExpectMsg<SendRefused>().Kind);
            pair.Initiator.Tell(Numbered(5), TestActor);
            pair.Initiator.Tell(Numbered(6), TestActor);
            Assert.Equal(new SendAck(7, 5), ExpectMsg<SendAck>());
            Assert.Equal(new SendAck(8, 6), ExpectMsg<SendAck>());

            var received = Enumerable.Range(0, 6).Select(_ => pair.ResponderHandler.ExpectMsg<MessageReceived>().Data.Span[0]).ToList();
            Assert.Equal([1, 2, 3, 4, 5, 6], received.Select(b => (int)b));
        }
    }

    [Fact]
    public void Frames_and_ConnectionInit_from_a_sender_that_is_not_the_connection_are_dropped_with_a_warning()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            var stranger = CreateTestProbe();
            EventFilter.Warning(contains: "not from this session's connection").Expect(2, () =>
            {
                pair.Responder.Tell(new FrameReceived(ByteString.FromBytes(new byte[40])), stranger.Ref);
                pair.Responder.Tell(new ConnectionInit(stranger.Ref), stranger.Ref);
            });
            stranger.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

            // The session never read the injected frame: the peer's next message is still sequence 3.
            pair.Initiator.Tell(new SendMessage("genuine"u8.ToArray()), TestActor);
            Assert.Equal(3UL, pair.ResponderHandler.ExpectMsg<MessageReceived>().Sequence);
        }
    }

    private sealed class PendingVerifier : IIdentityVerifier
    {
        private readonly TaskCompletionSource<IdentityVerdict> _verdict = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IdentityVerdict> VerifyAsync(RemotePeer peer, CancellationToken cancellationToken) => _verdict.Task;

        public void Accept() => _verdict.TrySetResult(IdentityVerdict.Accept);
    }
}

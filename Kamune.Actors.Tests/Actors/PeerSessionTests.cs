using Akka.Actor;
using Akka.IO;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Actors;

/// <summary>Two PeerActors over an in-memory connection: the session flow, close semantics, failures and refusals.</summary>
public sealed class PeerSessionTests : PeerTestKit
{
    // Frames the initiator writes before its first application message: 2 exchange, Introduce, handshake request,
    // SEND_CHALLENGE and VERIFY_CHALLENGE (protocol.md "Flow").
    private const int FirstInitiatorApplicationFrame = 6;

    private static IEnumerable<ByteString> Twice(ByteString frame) => [frame, frame];

    private static IEnumerable<ByteString> FlipLastBit(ByteString frame)
    {
        var bytes = frame.ToArray();
        bytes[^1] ^= 0x01;
        return [ByteString.FromBytes(bytes)];
    }

    private static FrameTamper At(int index, Func<ByteString, IEnumerable<ByteString>> change) => FrameTampers.At(index, change);

    [Fact]
    public void Both_sides_are_established_with_one_session_id_and_each_others_identity()
    {
        var (pair, atInitiator, atResponder) = PeerPair.Established(this);
        using (pair)
        {
            Assert.Equal(24, atInitiator.SessionId.Length);
            Assert.Equal(atInitiator.SessionId, atResponder.SessionId);
            Assert.Equal(pair.ResponderKey.PublicIdentity, atInitiator.Peer.Identity);
            Assert.Equal(pair.InitiatorKey.PublicIdentity, atResponder.Peer.Identity);
            Assert.Equal(("responder", "0.7.0", SessionRole.Initiator), (atInitiator.Peer.Name, atInitiator.Peer.AppVersion, atInitiator.Role));
            Assert.Equal(pair.InitiatorKey.PublicIdentity.Fingerprint, atResponder.Peer.Fingerprint);
            Assert.Equal(pair.Initiator, atInitiator.Session);
        }
    }

    [Fact]
    public void Messages_flow_both_ways_in_order_from_sequence_three_and_each_send_is_acknowledged()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            pair.Initiator.Tell(new SendMessage("one"u8.ToArray(), "a"), TestActor);
            pair.Initiator.Tell(new SendMessage("two"u8.ToArray(), "b"), TestActor);
            Assert.Equal(new SendAck(3, "a"), ExpectMsg<SendAck>());
            Assert.Equal(new SendAck(4, "b"), ExpectMsg<SendAck>());
            var first = pair.ResponderHandler.ExpectMsg<MessageReceived>();
            var second = pair.ResponderHandler.ExpectMsg<MessageReceived>();
            Assert.Equal(("one", 3UL), (System.Text.Encoding.UTF8.GetString(first.Data.Span), first.Sequence));
            Assert.Equal(("two", 4UL), (System.Text.Encoding.UTF8.GetString(second.Data.Span), second.Sequence));
            Assert.Equal(Kamune.Tests.Session.PureSession.Start, first.Timestamp);

            pair.Responder.Tell(new SendMessage("back"u8.ToArray()), TestActor);
            Assert.Equal(3UL, ExpectMsg<SendAck>().Sequence);
            Assert.Equal("back"u8.ToArray(), pair.InitiatorHandler.ExpectMsg<MessageReceived>().Data.ToArray());
        }
    }

    [Fact]
    public void A_send_before_establishment_waits_and_is_delivered_once_established()
    {
        using var pair = PeerPair.Start(this);
        pair.Initiator.Tell(new SendMessage("early"u8.ToArray(), 1), TestActor);
        pair.InitiatorHandler.ExpectMsg<SessionEstablished>();
        Assert.Equal(new SendAck(3, 1), ExpectMsg<SendAck>());
        pair.ResponderHandler.ExpectMsg<SessionEstablished>();
        Assert.Equal("early"u8.ToArray(), pair.ResponderHandler.ExpectMsg<MessageReceived>().Data.ToArray());
    }

    [Fact]
    public void A_send_above_the_cap_is_refused_and_the_session_goes_on()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            pair.Initiator.Tell(new SendMessage(new byte[61436], "big"), TestActor);
            var refused = ExpectMsg<SendRefused>();
            Assert.Equal("big", refused.CorrelationId);
            Assert.Contains("expected at most 61435 bytes, got 61436", refused.Reason);

            pair.Initiator.Tell(new SendMessage(new byte[61435], "largest"), TestActor);
            Assert.Equal(new SendAck(3, "largest"), ExpectMsg<SendAck>());
            Assert.Equal(61435, pair.ResponderHandler.ExpectMsg<MessageReceived>().Data.Length);
        }
    }

    [Fact]
    public void Sends_beyond_the_send_window_are_refused_as_back_pressure()
    {
        var (pair, _, _) = PeerPair.Established(this, Options with { SendWindow = 1 });
        using (pair)
        {
            pair.Initiator.Tell(new SendMessage("first"u8.ToArray(), 1), TestActor);
            pair.Initiator.Tell(new SendMessage("second"u8.ToArray(), 2), TestActor);
            var answers = new[] { ExpectMsg<object>(), ExpectMsg<object>() };
            Assert.Contains(answers, a => a is SendAck { CorrelationId: 1 });
            Assert.Contains(answers, a => a is SendRefused { CorrelationId: 2 } r && r.Reason.Contains("Back-pressure"));
        }
    }

    [Fact]
    public void Local_close_is_LocalClose_here_and_PeerClosed_there_and_both_actors_stop()
    {
        var (pair, atInitiator, _) = PeerPair.Established(this);
        using (pair)
        {
            Watch(pair.Initiator);
            Watch(pair.Responder);
            pair.Initiator.Tell(CloseSession.Instance);

            var here = pair.InitiatorHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.LocalClose, atInitiator.SessionId), (here.Reason, here.SessionId));
            var there = pair.ResponderHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.PeerClosed, KamuneError.PeerDisconnected), (there.Reason, there.Error));
            ExpectTerminated(pair.Initiator);
            ExpectTerminated(pair.Responder);

            // SessionClosed is sent exactly once, and a stopped session refuses nothing silently.
            pair.InitiatorHandler.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
            pair.ResponderHandler.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        }
    }

    [Fact]
    public void A_connection_that_ends_without_close_is_ConnectionLost()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            Watch(pair.Responder);
            // The initiator's connection delivers to the responder: it is the responder's inbound stage.
            pair.Responder.Tell(ConnectionCompleted.Instance, pair.InitiatorConnection);
            var closed = pair.ResponderHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.ConnectionLost, KamuneError.ConnectionLost), (closed.Reason, closed.Error));
            ExpectTerminated(pair.Responder);
            Assert.Equal(CloseReason.ConnectionLost, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
        }
    }

    [Fact]
    public void Sends_still_waiting_when_the_connection_fails_are_each_refused_not_left_unanswered()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            // The failure is in the mailbox behind the sends, ahead of the moment they would be sealed. The session is
            // suspended while they go in, so it cannot take the first send (and seal it) before the failure arrives.
            WhileSuspended(pair.Responder, () =>
            {
                for (var i = 1; i <= 3; i++)
                {
                    pair.Responder.Tell(new SendMessage("late"u8.ToArray(), i), TestActor);
                }

                pair.Responder.Tell(new ConnectionFailed(new IOException("Connection reset by peer.")), pair.InitiatorConnection);
            });

            var answers = ReceiveN(3);
            Assert.All(answers, a => Assert.StartsWith("Session closed (ConnectionLost)", Assert.IsType<SendRefused>(a).Reason));
            Assert.Equal(new object?[] { 1, 2, 3 }, answers.Select(a => ((SendRefused)a).CorrelationId));
            Assert.Equal(CloseReason.ConnectionLost, pair.ResponderHandler.ExpectMsg<SessionClosed>().Reason);
            ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        }
    }

    [Fact]
    public void A_framing_failure_is_a_protocol_error_of_its_kind()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            pair.Responder.Tell(
                new ConnectionFailed(new KamuneProtocolException(KamuneError.FrameTruncated, "Frame: expected 100 bytes, got 3.")), pair.InitiatorConnection);
            var closed = pair.ResponderHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.ProtocolError, KamuneError.FrameTruncated), (closed.Reason, closed.Error));
        }
    }

    [Fact]
    public void A_duplicated_frame_ends_the_session_out_of_sync()
    {
        var settings = Options with { TamperToResponder = At(FirstInitiatorApplicationFrame, Twice) };
        var (pair, _, _) = PeerPair.Established(this, settings);
        using (pair)
        {
            Watch(pair.Responder);
            pair.Initiator.Tell(new SendMessage("once"u8.ToArray()), ActorRefs.NoSender);
            Assert.Equal(3UL, pair.ResponderHandler.ExpectMsg<MessageReceived>().Sequence);
            var closed = pair.ResponderHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.ProtocolError, KamuneError.OutOfSync), (closed.Reason, closed.Error));
            Assert.Contains("expected 4, got 3", closed.Detail);
            ExpectTerminated(pair.Responder);
            Assert.Equal(CloseReason.ConnectionLost, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
        }
    }

    [Fact]
    public void A_tampered_session_frame_ends_the_session_with_DecryptionFailed()
    {
        var settings = Options with { TamperToResponder = At(FirstInitiatorApplicationFrame, FlipLastBit) };
        var (pair, _, _) = PeerPair.Established(this, settings);
        using (pair)
        {
            Watch(pair.Responder);
            pair.Initiator.Tell(new SendMessage("tampered"u8.ToArray()), ActorRefs.NoSender);
            var closed = pair.ResponderHandler.ExpectMsg<SessionClosed>();
            Assert.Equal((CloseReason.ProtocolError, KamuneError.DecryptionFailed), (closed.Reason, closed.Error));
            ExpectTerminated(pair.Responder);
        }
    }

    [Theory]
    [InlineData(1, KamuneError.MalformedExchange)]
    [InlineData(2, KamuneError.TunnelOpenFailed)]
    [InlineData(3, KamuneError.TunnelOpenFailed)]
    [InlineData(4, KamuneError.TunnelOpenFailed)]
    public void A_tampered_handshake_frame_stops_the_responder_with_its_error_and_never_establishes(int index, KamuneError expected)
    {
        var tamper = index == 1
            ? At(index, frame => [frame.Slice(0, frame.Count - 1)])
            : At(index, FlipLastBit);
        using var pair = PeerPair.Start(this, Options with { TamperToResponder = tamper });
        Watch(pair.Responder);
        var closed = pair.ResponderHandler.ExpectMsg<SessionClosed>();
        Assert.Equal((CloseReason.ProtocolError, expected), (closed.Reason, closed.Error));
        ExpectTerminated(pair.Responder);
        Assert.IsType<SessionClosed>(pair.InitiatorHandler.ExpectMsg<object>());
    }

    [Fact]
    public void A_rejected_identity_ends_the_session_with_Rejected_before_any_key_is_agreed()
    {
        using var stranger = IdentityKeyPair.FromSeed(new byte[32]);
        var settings = Options with { ResponderVerifier = AllowListVerifier.FromIdentities([stranger.PublicIdentity]) };
        using var pair = PeerPair.Start(this, settings);
        Watch(pair.Responder);
        var closed = pair.ResponderHandler.ExpectMsg<SessionClosed>();
        Assert.Equal((CloseReason.Rejected, KamuneError.IdentityRejected, null), (closed.Reason, closed.Error, closed.SessionId));
        Assert.Contains("not on the allow-list", closed.Detail);
        ExpectTerminated(pair.Responder);
        Assert.Equal(CloseReason.ConnectionLost, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
        // Exchange frame 2 and nothing else: the responder never introduced itself.
        Assert.Single(pair.ResponderFrames);
    }

    [Fact]
    public void A_failing_verifier_counts_as_a_rejection()
    {
        var settings = Options with { InitiatorVerifier = new ThrowingVerifier() };
        using var pair = PeerPair.Start(this, settings);
        var closed = pair.InitiatorHandler.ExpectMsg<SessionClosed>();
        Assert.Equal(CloseReason.Rejected, closed.Reason);
        Assert.Contains("verifier is down", closed.Detail);
    }

    [Fact]
    public void Keep_alive_ping_is_answered_with_pong_and_not_delivered_to_the_handler()
    {
        var (pair, _, _) = PeerPair.Established(this, Options with { KeepAliveInterval = TimeSpan.FromSeconds(10) });
        using (pair)
        {
            var responderFramesBefore = pair.ResponderFrames.Count;
            Scheduler.Advance(TimeSpan.FromSeconds(10));
            AwaitCondition(() => pair.ResponderFrames.Count == responderFramesBefore + 1);

            // The ping took sequence 3, so the next message is 4 and nothing else reached the handlers.
            pair.Initiator.Tell(new SendMessage("after"u8.ToArray()), TestActor);
            Assert.Equal(4UL, ExpectMsg<SendAck>().Sequence);
            Assert.Equal(4UL, pair.ResponderHandler.ExpectMsg<MessageReceived>().Sequence);
            pair.InitiatorHandler.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        }
    }

    private sealed class ThrowingVerifier : IIdentityVerifier
    {
        public Task<IdentityVerdict> VerifyAsync(RemotePeer peer, CancellationToken cancellationToken) =>
            Task.FromException<IdentityVerdict>(new InvalidOperationException("verifier is down"));
    }
}

using Akka.Actor;
using Akka.IO;
using Kamune.Actors.Runtime;
using Kamune.Protocol.Session;
using Kamune.Tests.Session;
using Kamune.Wire;

namespace Kamune.Tests.Actors;

/// <summary>
/// Two CipherActors driven through the exchange, introduction and handshake by the test in the PeerActor's place, so
/// the messages that leave a cipher during the challenges can be read: they carry route and sequence, never a token
/// (docs/security.md, "Key hygiene, secret by secret").
/// </summary>
public sealed class CipherActorTokenTests : PeerTestKit
{
    [Fact]
    public void Challenge_messages_reach_the_replay_guard_and_come_back_without_their_tokens()
    {
        using var initiatorKey = IdentityKeyPair.FromSeed(PureSession.Seed(41, 0x11));
        using var responderKey = IdentityKeyPair.FromSeed(PureSession.Seed(41, 0x22));
        var clock = new ManualClock(PureSession.Start);
        var initiator = Sys.ActorOf(CipherActor.Props(
            SessionRole.Initiator, initiatorKey, "initiator", "0.7.0", clock, new DeterministicRandomSource(1)));
        var responder = Sys.ActorOf(CipherActor.Props(
            SessionRole.Responder, responderKey, "responder", "0.7.0", clock, new DeterministicRandomSource(2)));

        // protocol.md "Flow" steps 1-3, each frame carried by hand.
        initiator.Tell(StartExchange.Instance);
        var frame1 = Single(ExpectMsg<FramesReady>().Frames);
        responder.Tell(new ExchangeFrame(frame1));
        var frame2 = Single(ExpectMsg<ExchangeProgress>().Frames);
        initiator.Tell(new ExchangeFrame(frame2));
        var frame3 = Single(ExpectMsg<ExchangeProgress>().Frames);
        responder.Tell(new ExchangeFrame(frame3));
        Assert.True(ExpectMsg<ExchangeProgress>().TunnelReady);

        initiator.Tell(SealIntroduce.Instance);
        responder.Tell(new OpenIntroduce(Single(ExpectMsg<FramesReady>().Frames)));
        ExpectMsg<IntroduceOpened>();
        responder.Tell(SealIntroduce.Instance);
        initiator.Tell(new OpenIntroduce(Single(ExpectMsg<FramesReady>().Frames)));
        ExpectMsg<IntroduceOpened>();

        initiator.Tell(StartHandshake.Instance);
        responder.Tell(new HandshakeFrame(Single(ExpectMsg<FramesReady>().Frames)));
        initiator.Tell(new HandshakeFrame(Single(ExpectMsg<HandshakeCompleted>().Frames)));
        var sendChallenge = Single(ExpectMsg<HandshakeCompleted>().Frames);

        // Step 4: the responder opens the initiator's SEND_CHALLENGE; what goes to the guard is stripped.
        var guard = CreateTestProbe();
        responder.Tell(new OpenFrames([sendChallenge], guard.Ref));
        var check = guard.ExpectMsg<CheckSequences>();
        var opened = Assert.Single(check.Messages);
        Assert.Equal((Route.SendChallenge, 1UL), (opened.Route, opened.Sequence));
        Assert.True(opened.Value.IsEmpty);
        Assert.Null(check.Failure);

        // The accepted message, token-free, still drives the phase: the echo and the responder's own challenge.
        responder.Tell(new ContinueChallenge(opened));
        var progress = ExpectMsg<ChallengeProgress>();
        Assert.Equal(2, progress.Frames.Count);
        Assert.False(progress.Completed);
    }

    private static ByteString Single(IReadOnlyList<ByteString> frames) => Assert.Single(frames);
}

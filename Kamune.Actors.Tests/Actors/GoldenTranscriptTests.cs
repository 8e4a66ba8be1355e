using System.Security.Cryptography;

namespace Kamune.Tests.Actors;

/// <summary>
/// A fixed session between two PeerActors — seeded randomness, a clock that never moves, virtual time — writes the
/// same bytes on every run. The committed hash was computed once by this implementation: on its own it proves only
/// stability, not correctness. Correctness of the bytes is carried by the vector tests each layer has
/// (GoReferenceVectors_* for envelope, padding, exchange, handshake keys and session frames, RFC 9180 and hpke-pq
/// for HPKE); this test catches any change in what a whole session puts on the wire, message order included.
/// </summary>
public sealed class GoldenTranscriptTests : PeerTestKit
{
    private const string GoldenSha256 = "ce93aa8fe7b2800357c04905e3ecc4f09de9d99d364910667b3607803053f728";

    // Frames per side in the script below: initiator 2 exchange + Introduce + handshake request + 2 challenge
    // + 2 messages + PING + CLOSE_TRANSPORT; responder exchange + Introduce + handshake response + 2 challenge
    // + 1 message + PONG.
    private const int InitiatorFrames = 10;
    private const int ResponderFrames = 7;

    [Fact]
    public void A_fixed_session_writes_the_golden_transcript_on_every_run()
    {
        var first = RunScriptedSession();
        var second = RunScriptedSession();
        Assert.Equal(first, second);
        var actual = Convert.ToHexStringLower(SHA256.HashData(first));
        Assert.True(actual == GoldenSha256, $"Transcript SHA-256: expected {GoldenSha256}, got {actual}.");
    }

    private byte[] RunScriptedSession()
    {
        var (pair, atInitiator, _) = PeerPair.Established(this, Options with { Seed = 42, KeepAliveInterval = TimeSpan.FromSeconds(15) });
        using (pair)
        {
            pair.Initiator.Tell(new SendMessage("hello, kamune"u8.ToArray(), "hello"), TestActor);
            Assert.Equal(new SendAck(3, "hello"), ExpectMsg<SendAck>());
            Assert.Equal(3UL, pair.ResponderHandler.ExpectMsg<MessageReceived>().Sequence);

            pair.Responder.Tell(new SendMessage("hello back"u8.ToArray(), "back"), TestActor);
            Assert.Equal(new SendAck(3, "back"), ExpectMsg<SendAck>());
            pair.InitiatorHandler.ExpectMsg<MessageReceived>();

            // Keep-alive: the initiator's PING takes sequence 4; the responder answers PONG before it reads message 5.
            Scheduler.Advance(TimeSpan.FromSeconds(15));
            pair.Initiator.Tell(new SendMessage("after the ping"u8.ToArray(), "after"), TestActor);
            Assert.Equal(new SendAck(5, "after"), ExpectMsg<SendAck>());
            Assert.Equal(5UL, pair.ResponderHandler.ExpectMsg<MessageReceived>().Sequence);

            pair.Initiator.Tell(CloseSession.Instance, TestActor);
            Assert.Equal(CloseReason.LocalClose, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
            Assert.Equal(CloseReason.PeerClosed, pair.ResponderHandler.ExpectMsg<SessionClosed>().Reason);
            AwaitCondition(() => pair.InitiatorFrames.Count == InitiatorFrames && pair.ResponderFrames.Count == ResponderFrames);
            Assert.Equal(24, atInitiator.SessionId.Length);

            // Each direction as a TCP capture would show it: uint16be length || payload per frame.
            return [.. pair.InitiatorFrames.ToStream(), .. pair.ResponderFrames.ToStream()];
        }
    }
}

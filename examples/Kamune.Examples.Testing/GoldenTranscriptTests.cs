using System.Security.Cryptography;
using Kamune.TestKit;

namespace Kamune.Examples.Testing;

public sealed class GoldenTranscriptTests : ProtocolTestKit
{
    [Fact]
    public void A_seeded_session_writes_the_same_bytes_on_every_run_and_another_seed_writes_others()
    {
        var first = RecordSession(seed: 7);
        var again = RecordSession(seed: 7);
        var other = RecordSession(seed: 8);

        Assert.Equal(SHA256.HashData(first), SHA256.HashData(again));
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void The_transcript_opens_with_the_exchange_frames_of_protocol_0_7()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            // The initiator's X-Wing public key, then the responder's merged answer.
            Assert.Equal(1216, pair.InitiatorFrames[0].Length);
            Assert.Equal(2338, pair.ResponderFrames[0].Length);
        }
    }

    // One message each way, then a close: every frame both sides wrote, as a TCP capture would show them.
    private byte[] RecordSession(ulong seed)
    {
        var (pair, _, _) = PeerPair.Established(this, PeerPairOptions.FromSystem(Sys) with { Seed = seed });
        using (pair)
        {
            pair.Initiator.Tell(new SendMessage("hello"u8.ToArray()), TestActor);
            ExpectMsg<SendAck>();
            pair.ResponderHandler.ExpectMsg<MessageReceived>();
            pair.Responder.Tell(new SendMessage("hello back"u8.ToArray()), TestActor);
            ExpectMsg<SendAck>();
            pair.InitiatorHandler.ExpectMsg<MessageReceived>();

            pair.Initiator.Tell(CloseSession.Instance, TestActor);
            Assert.Equal(CloseReason.LocalClose, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
            Assert.Equal(CloseReason.PeerClosed, pair.ResponderHandler.ExpectMsg<SessionClosed>().Reason);
            return [.. pair.InitiatorFrames.ToStream(), .. pair.ResponderFrames.ToStream()];
        }
    }
}

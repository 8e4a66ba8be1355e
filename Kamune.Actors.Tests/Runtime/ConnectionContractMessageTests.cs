using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Kamune.Actors.Runtime;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Tests.Runtime;

// Issue 18 item 10: a connection message in a log line (a dead letter, a debug dump) shows lengths, never the frame's
// bytes, and none is serialized or logged as a dead letter.
public sealed class ConnectionContractMessageTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly ByteString Secret = ByteString.FromString("ciphertext-7f3a");

    [Fact]
    public void Messages_with_frame_payloads_print_their_lengths_and_not_their_bytes()
    {
        var printed = new object[]
        {
            new WriteFrame(Secret), new FrameReceived(Secret), new FramesReceived([Secret, Secret]),
        }.Select(message => message.ToString()!).ToList();

        Assert.Equal(["WriteFrame(15 bytes)", "FrameReceived(15 bytes)", "FramesReceived(2 frames, 30 bytes)"], printed);
        Assert.All(printed, text => Assert.DoesNotContain("ciphertext", text));
    }

    [Fact]
    public void Every_message_of_the_connection_contract_is_local_only_and_kept_out_of_the_dead_letter_log()
    {
        Type[] contract =
        [
            typeof(ConnectionInit), typeof(FrameReceived), typeof(FrameAck), typeof(FramesAck), typeof(FramesReceived),
            typeof(ConnectionCompleted), typeof(ConnectionFailed), typeof(WriteFrame), typeof(FrameWritten), typeof(CloseConnection),
        ];

        Assert.All(contract, type => Assert.True(
            typeof(IDeadLetterSuppression).IsAssignableFrom(type) && typeof(INoSerializationVerificationNeeded).IsAssignableFrom(type),
            $"expected {type.Name} to be IDeadLetterSuppression and INoSerializationVerificationNeeded"));
    }

    [Fact]
    public void Messages_between_a_session_and_its_cipher_print_lengths_and_stay_out_of_the_dead_letter_log()
    {
        var plaintext = new byte[] { 0x68, 0x65, 0x6c, 0x6c, 0x6f }; // "hello"
        object[] messages =
        [
            new ExchangeFrame(Secret), new OpenIntroduce(Secret), new HandshakeFrame(Secret), new FramesReady([Secret]),
            new Sealed(Secret, 7, Route.ExchangeMessages, null), new SealMessage(Route.ExchangeMessages, plaintext, null),
            new ContinueChallenge(new InboundMessage(Route.ExchangeMessages, 3, DateTimeOffset.UnixEpoch, plaintext)),
        ];

        Assert.All(messages, message =>
        {
            var text = message.ToString()!;
            Assert.DoesNotContain("ciphertext", text);
            Assert.DoesNotContain("hello", text);
            Assert.DoesNotContain("104", text); // the first plaintext byte as a collection would print it
            Assert.True(message is IDeadLetterSuppression and INoSerializationVerificationNeeded, $"{message.GetType().Name} must be local only");
        });
        Assert.Equal("Sealed(15 bytes, seq 7, ExchangeMessages)", messages[4].ToString());
    }

    [Fact]
    public void A_frame_sent_to_a_stopped_session_is_a_suppressed_dead_letter_not_a_logged_one()
    {
        var stopped = Sys.ActorOf(Props.Empty);
        Watch(stopped);
        Sys.Stop(stopped);
        ExpectTerminated(stopped);
        Sys.EventStream.Subscribe(TestActor, typeof(AllDeadLetters));

        stopped.Tell(new FrameReceived(Secret));

        var dead = ExpectMsg<AllDeadLetters>();
        Assert.IsType<SuppressedDeadLetter>(dead);
    }
}

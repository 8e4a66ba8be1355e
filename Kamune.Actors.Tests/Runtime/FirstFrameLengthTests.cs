using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Kamune.Actors.Runtime;
using Kamune.Protocol;

namespace Kamune.Tests.Runtime;

// The exchange's first frame has one possible length (protocol.md step 1): anything else fails at the prefix.
public sealed class FirstFrameLengthTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly IMaterializer _materializer;

    public FirstFrameLengthTests() => _materializer = Sys.Materializer();

    [Fact]
    public async Task The_expected_first_length_passes_every_byte_through_however_tcp_cuts_the_prefix()
    {
        var wire = new byte[] { 0x04, 0xC0, 1, 2, 3, 0xFF, 0xFF, 9 };
        var chunks = wire.Select(b => ByteString.FromBytes([b])).ToList();

        var passed = await Source.From(chunks)
            .Via(KamuneFraming.FirstFrameLength(1216))
            .RunWith(Sink.Seq<ByteString>(), _materializer);

        // Only the first length is judged: the later 0xFFFF goes on to the decoder untouched.
        Assert.Equal(wire, passed.SelectMany(c => c.ToArray()).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1215)]
    [InlineData(1217)]
    [InlineData(2338)]
    [InlineData(40_000)]
    public async Task Any_other_first_length_fails_with_MalformedExchange_without_waiting_for_its_payload(int declared)
    {
        // Only the two prefix bytes are sent, and the source never completes: the verdict cannot wait for more.
        var prefix = ByteString.FromBytes([(byte)(declared >> 8), (byte)declared]);
        var failure = await Assert.ThrowsAsync<KamuneProtocolException>(() => Source.Single(prefix)
            .Concat(Source.Never<ByteString>())
            .Via(KamuneFraming.FirstFrameLength(1216))
            .RunWith(Sink.Ignore<ByteString>(), _materializer)
            .WaitAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal(KamuneError.MalformedExchange, failure.Error);
        Assert.Contains($"expected 1216 bytes, got {declared}", failure.Message);
    }

    [Fact]
    public async Task A_first_length_beyond_the_frame_limit_is_FrameTooLarge_as_the_decoder_says_it()
    {
        var failure = await Assert.ThrowsAsync<KamuneProtocolException>(() => Source.Single(ByteString.FromBytes([0xFF, 0xFF]))
            .Concat(Source.Never<ByteString>())
            .Via(KamuneFraming.FirstFrameLength(2338, maxFrameLength: 40_000))
            .RunWith(Sink.Ignore<ByteString>(), _materializer)
            .WaitAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal(KamuneError.FrameTooLarge, failure.Error);
    }

    [Fact]
    public async Task A_stream_that_ends_inside_the_prefix_hands_the_byte_on_so_the_decoder_reports_the_truncation()
    {
        var failure = await Assert.ThrowsAsync<KamuneProtocolException>(() => Source.Single(ByteString.FromBytes([0x04]))
            .Via(KamuneFraming.FirstFrameLength(1216))
            .Via(KamuneFraming.Decoder(FrameCodec.MaxPayload))
            .RunWith(Sink.Ignore<ByteString>(), _materializer)
            .WaitAsync(TimeSpan.FromSeconds(5)));

        Assert.Equal(KamuneError.FrameTruncated, failure.Error);
    }
}

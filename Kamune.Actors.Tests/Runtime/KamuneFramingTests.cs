using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Kamune.Actors.Runtime;
using Kamune.Protocol;

namespace Kamune.Tests.Runtime;

// protocol.md layer 2: uint16 big-endian length || payload, cut anywhere by TCP.
public sealed class KamuneFramingTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly IMaterializer _materializer;

    public KamuneFramingTests() => _materializer = Sys.Materializer();

    [Fact]
    public async Task Decoder_returns_every_payload_whole_and_in_order_however_tcp_cuts_the_stream()
    {
        var random = new Random(20240607);
        var payloads = new List<byte[]>();
        foreach (var size in new[] { 0, 1, 2, 255, 256, 257, 1000, 4096, 65_535 })
        {
            payloads.Add(RandomBytes(random, size));
        }

        for (var i = 0; i < 200; i++)
        {
            payloads.Add(RandomBytes(random, random.Next(0, 3000)));
        }

        var wire = payloads.Select(p => KamuneFraming.Encode(ByteString.FromBytes(p))).Aggregate(ByteString.Empty, (a, b) => a.Concat(b)).ToArray();

        // Like Akka's FramingSpec: several random re-chunkings, including 1-byte pieces that split every header.
        for (var round = 0; round < 5; round++)
        {
            var maxChunk = round == 0 ? 1 : random.Next(2, 9000);
            var received = await Source.From(Rechunk(wire, random, maxChunk))
                .Via(KamuneFraming.Decoder(KamuneFraming.WireMaxFrameLength))
                .RunWith(Sink.Seq<ByteString>(), _materializer);

            Assert.Equal(payloads.Count, received.Count);
            for (var i = 0; i < payloads.Count; i++)
            {
                Assert.Equal(payloads[i], received[i].ToArray());
            }
        }
    }

    [Fact]
    public async Task Decoder_reads_the_length_big_endian_and_strips_the_header()
    {
        // 0x01 0x00 is 256 big-endian (1 little-endian): a little-endian decoder would emit one byte.
        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var wire = new byte[] { 0x01, 0x00 }.Concat(payload).ToArray();

        var received = await Source.Single(ByteString.FromBytes(wire))
            .Via(KamuneFraming.Decoder(KamuneFraming.WireMaxFrameLength))
            .RunWith(Sink.Seq<ByteString>(), _materializer);

        Assert.Single(received);
        Assert.Equal(payload, received[0].ToArray());
    }

    [Fact]
    public async Task Decoder_fails_with_FrameTooLarge_naming_the_allowed_and_the_announced_length()
    {
        var wire = new byte[] { 0x00, 0x65 }.Concat(new byte[101]).ToArray();

        var error = await Assert.ThrowsAsync<KamuneProtocolException>(() => Source.Single(ByteString.FromBytes(wire))
            .Via(KamuneFraming.Decoder(100))
            .RunWith(Sink.Seq<ByteString>(), _materializer));

        Assert.Equal(KamuneError.FrameTooLarge, error.Error);
        Assert.Contains("at most 100", error.Message);
        Assert.Contains("got 101", error.Message);
    }

    [Fact]
    public async Task Decoder_fails_oversize_on_the_header_before_the_payload_arrives()
    {
        // Only the header was sent: the error must not wait for 60,000 bytes that may never come.
        var probe = Source.Single(ByteString.FromBytes([0xEA, 0x60]))
            .Concat(Source.Never<ByteString>())
            .Via(KamuneFraming.Decoder(1024))
            .RunWith(Sink.Seq<ByteString>(), _materializer);

        var error = await Assert.ThrowsAsync<KamuneProtocolException>(() => probe.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(KamuneError.FrameTooLarge, error.Error);
        Assert.Contains("got 60000", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, "expected 2 bytes, got 1")]
    [InlineData(new byte[] { 0x00, 0x05, 1, 2, 3 }, "expected 7 bytes, got 5")]
    [InlineData(new byte[] { 0x00, 0x01, 9, 0x00, 0x03, 1 }, "expected 5 bytes, got 3")]
    public async Task Decoder_fails_with_FrameTruncated_when_the_stream_ends_inside_a_frame(byte[] wire, string detail)
    {
        var error = await Assert.ThrowsAsync<KamuneProtocolException>(() => Source.From(wire.Select(b => ByteString.FromBytes([b])))
            .Via(KamuneFraming.Decoder(KamuneFraming.WireMaxFrameLength))
            .RunWith(Sink.Seq<ByteString>(), _materializer));

        Assert.Equal(KamuneError.FrameTruncated, error.Error);
        Assert.Contains(detail, error.Message);
    }

    [Fact]
    public async Task Decoder_completes_when_the_stream_ends_on_a_frame_boundary()
    {
        var received = await Source.From([ByteString.FromBytes([0x00, 0x02, 7]), ByteString.FromBytes([8, 0x00, 0x00])])
            .Via(KamuneFraming.Decoder(KamuneFraming.WireMaxFrameLength))
            .RunWith(Sink.Seq<ByteString>(), _materializer);

        Assert.Equal(2, received.Count);
        Assert.Equal(new byte[] { 7, 8 }, received[0].ToArray());
        Assert.True(received[1].IsEmpty);
    }

    [Fact]
    public void Encode_writes_the_length_big_endian_before_the_payload()
    {
        var frame = KamuneFraming.Encode(ByteString.FromBytes(new byte[300])).ToArray();

        Assert.Equal(302, frame.Length);
        Assert.Equal(0x01, frame[0]);
        Assert.Equal(0x2C, frame[1]);
    }

    [Fact]
    public void Encode_refuses_a_payload_the_16_bit_length_cannot_describe()
    {
        var error = Assert.Throws<ArgumentException>(() => KamuneFraming.Encode(ByteString.FromBytes(new byte[65_536])));
        Assert.Contains("at most 65535 bytes, got 65536", error.Message);
    }

    private static byte[] RandomBytes(Random random, int size)
    {
        var bytes = new byte[size];
        random.NextBytes(bytes);
        return bytes;
    }

    private static List<ByteString> Rechunk(byte[] wire, Random random, int maxChunk)
    {
        var chunks = new List<ByteString>();
        for (var offset = 0; offset < wire.Length;)
        {
            var take = Math.Min(wire.Length - offset, random.Next(1, maxChunk + 1));
            chunks.Add(ByteString.FromBytes(wire, offset, take));
            offset += take;
        }

        return chunks;
    }
}

using Kamune.Protocol;

namespace Kamune.Tests.Framing;

public class FrameCodecTests
{
    [Fact]
    public void Encode_writes_a_big_endian_length_before_the_payload()
    {
        var payload = new byte[0x0102];
        payload[0] = 0xAA;

        var frame = FrameCodec.Encode(payload);

        Assert.Equal(0x0104, frame.Length);
        Assert.Equal(new byte[] { 0x01, 0x02, 0xAA }, frame[..3]);
    }

    [Fact]
    public void Encode_accepts_empty_and_maximum_payloads_and_refuses_larger()
    {
        Assert.Equal(new byte[] { 0, 0 }, FrameCodec.Encode([]));
        var largest = FrameCodec.Encode(new byte[65535]);
        Assert.Equal(new byte[] { 0xFF, 0xFF }, largest[..2]);

        var error = Assert.Throws<ArgumentException>(() => FrameCodec.Encode(new byte[65536]));
        Assert.Contains("expected at most 65535 bytes, got 65536", error.Message);
    }

    [Fact]
    public void Span_Encode_returns_the_length_and_checks_the_destination()
    {
        var destination = new byte[10];

        Assert.Equal(5, FrameCodec.Encode([7, 8, 9], destination));
        Assert.Equal(new byte[] { 0, 3, 7, 8, 9 }, destination[..5]);
        Assert.Throws<ArgumentException>(() => FrameCodec.Encode([7, 8, 9], new byte[4]));
    }

    [Fact]
    public void Decoder_waits_for_a_header_split_across_chunks()
    {
        var decoder = new FrameDecoder();

        decoder.Append([0x00]);
        Assert.False(decoder.TryReadFrame(out _));
        decoder.Append([0x02, 0x10]);
        Assert.False(decoder.TryReadFrame(out _));
        decoder.Append([0x20]);

        Assert.True(decoder.TryReadFrame(out var payload));
        Assert.Equal(new byte[] { 0x10, 0x20 }, payload);
        decoder.Complete();
    }

    [Fact]
    public void Decoder_reads_empty_frames()
    {
        var decoder = new FrameDecoder();
        decoder.Append([0, 0, 0, 1, 5]);

        Assert.True(decoder.TryReadFrame(out var empty));
        Assert.Empty(empty);
        Assert.True(decoder.TryReadFrame(out var one));
        Assert.Equal(new byte[] { 5 }, one);
        Assert.False(decoder.TryReadFrame(out _));
    }

    [Theory]
    [InlineData(100, 101)]
    [InlineData(0, 1)]
    [InlineData(1000, 65535)]
    public void Oversized_declared_length_fails_with_FrameTooLarge_as_soon_as_the_header_arrives(int max, int declared)
    {
        var decoder = new FrameDecoder(max);

        var error = Assert.Throws<KamuneProtocolException>(() => decoder.Append([(byte)(declared >> 8), (byte)declared]));

        Assert.Equal(KamuneError.FrameTooLarge, error.Error);
        Assert.Contains($"expected at most {max} bytes, got {declared}", error.Message);
        Assert.Throws<InvalidOperationException>(() => decoder.TryReadFrame(out _));
    }

    [Fact]
    public void Oversized_header_behind_an_unread_frame_is_caught_at_append()
    {
        var decoder = new FrameDecoder(4);
        byte[] stream = [0, 2, 1, 2, 0, 5];

        var error = Assert.Throws<KamuneProtocolException>(() => decoder.Append(stream));

        Assert.Equal(KamuneError.FrameTooLarge, error.Error);
    }

    [Fact]
    public void Frame_exactly_at_the_limit_is_accepted()
    {
        var decoder = new FrameDecoder(3);
        decoder.Append([0, 3, 1, 2, 3]);

        Assert.True(decoder.TryReadFrame(out var payload));
        Assert.Equal(3, payload.Length);
    }

    [Fact]
    public void Stream_ending_inside_a_header_is_FrameTruncated()
    {
        var decoder = new FrameDecoder();
        decoder.Append([0, 1, 9, 0]);
        Assert.True(decoder.TryReadFrame(out _));

        var error = Assert.Throws<KamuneProtocolException>(decoder.Complete);

        Assert.Equal(KamuneError.FrameTruncated, error.Error);
        Assert.Contains("expected 2 bytes, got 1", error.Message);
    }

    [Fact]
    public void Stream_ending_inside_a_payload_is_FrameTruncated()
    {
        var decoder = new FrameDecoder();
        decoder.Append([0, 1, 9, 0, 10, 1, 2, 3]);

        var error = Assert.Throws<KamuneProtocolException>(decoder.Complete);

        Assert.Equal(KamuneError.FrameTruncated, error.Error);
        Assert.Contains("expected 10 payload bytes, got 3", error.Message);
    }

    [Fact]
    public void Complete_after_whole_frames_leaves_them_readable()
    {
        var decoder = new FrameDecoder();
        decoder.Append([0, 1, 9]);

        decoder.Complete();

        Assert.True(decoder.TryReadFrame(out var payload));
        Assert.Equal(new byte[] { 9 }, payload);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void Random_rechunking_of_a_frame_stream_yields_the_same_frames(ulong seed)
    {
        var random = new DeterministicRandomSource(seed);
        var frames = new List<byte[]>();
        var stream = new MemoryStream();
        var lengths = new byte[2];
        for (var i = 0; i < 40; i++)
        {
            random.Fill(lengths);
            // Mostly small frames, a few large ones, some empty: like padded session traffic.
            var length = i % 10 == 9 ? 60000 + (lengths[0] * 20) : lengths[0] % 3 == 0 ? 0 : (lengths[0] << 2) | lengths[1] % 4;
            var payload = new byte[length];
            random.Fill(payload);
            frames.Add(payload);
            stream.Write(FrameCodec.Encode(payload));
        }

        var bytes = stream.ToArray();
        var decoder = new FrameDecoder();
        var decoded = new List<byte[]>();
        var cut = new byte[2];
        for (var offset = 0; offset < bytes.Length;)
        {
            random.Fill(cut);
            // Chunks from 1 byte (a split header) up to a few kilobytes, as TCP delivers them.
            var size = Math.Min(bytes.Length - offset, cut[0] % 4 == 0 ? 1 + (cut[1] % 3) : 1 + ((cut[0] << 8 | cut[1]) % 8192));
            decoder.Append(bytes.AsSpan(offset, size));
            offset += size;
            while (decoder.TryReadFrame(out var payload))
            {
                decoded.Add(payload);
            }
        }

        decoder.Complete();
        Assert.Equal(frames.Count, decoded.Count);
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.Equal(frames[i], decoded[i]);
        }
    }

    [Fact]
    public void Decoder_holds_a_buffer_only_while_a_frame_waits_in_it()
    {
        var decoder = new FrameDecoder();
        Assert.Equal(0, decoder.BufferedCapacity);
        var large = new byte[FrameCodec.MaxPayload];
        new DeterministicRandomSource(7).Fill(large);
        var frame = FrameCodec.Encode(large);

        decoder.Append(frame.AsSpan(0, 40_000));
        Assert.False(decoder.TryReadFrame(out _));
        Assert.True(decoder.BufferedCapacity > frame.Length / 2, $"expected a grown buffer while the frame is half in, got {decoder.BufferedCapacity} bytes");
        decoder.Append(frame.AsSpan(40_000));
        Assert.True(decoder.TryReadFrame(out var payload));

        Assert.Equal(large, payload);
        Assert.Equal(0, decoder.BufferedCapacity);

        // A read that ends inside a frame keeps the buffer; reading that frame gives it back again.
        var small = FrameCodec.Encode(new byte[] { 1, 2, 3 });
        decoder.Append(small.AsSpan(0, 3));
        Assert.True(decoder.BufferedCapacity > 0, "expected a buffer while part of a frame waits");
        decoder.Append(small.AsSpan(3));
        Assert.True(decoder.TryReadFrame(out var three));
        Assert.Equal(new byte[] { 1, 2, 3 }, three);
        Assert.Equal(0, decoder.BufferedCapacity);
    }

    [Fact]
    public void Decoder_keeps_a_partly_received_frame_across_the_buffer_change()
    {
        var decoder = new FrameDecoder();
        var first = FrameCodec.Encode(Enumerable.Range(0, 20_000).Select(i => (byte)i).ToArray());
        var second = FrameCodec.Encode(Enumerable.Range(0, 500).Select(i => (byte)(i * 7)).ToArray());
        var both = first.Concat(second).ToArray();

        // The first frame and part of the second arrive together; reading the first must not drop the rest.
        decoder.Append(both.AsSpan(0, first.Length + 100));
        Assert.True(decoder.TryReadFrame(out var one));
        Assert.False(decoder.TryReadFrame(out _));
        decoder.Append(both.AsSpan(first.Length + 100));
        Assert.True(decoder.TryReadFrame(out var two));

        Assert.Equal(first.AsSpan(2).ToArray(), one);
        Assert.Equal(second.AsSpan(2).ToArray(), two);
        decoder.Complete();
    }

    [Fact]
    public void Decoder_limit_outside_the_uint16_range_is_a_programmer_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameDecoder(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameDecoder(65536));
    }
}

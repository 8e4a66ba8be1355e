using System.Buffers;
using Kamune.Protocol;

namespace Kamune.Tests.Framing;

// Issue 18 item 10: the decoder gives its pooled buffer back on every end of a stream, not only on success.
public sealed class FrameDecoderPoolTests
{
    [Fact]
    public void A_header_over_the_limit_fails_the_decoder_and_gives_its_buffer_back()
    {
        var pool = new CountingPool();
        var decoder = new FrameDecoder(maxFrameLength: 100, pool);

        var error = Assert.Throws<KamuneProtocolException>(() => decoder.Append([0x01, 0x00, 0xAA]));

        Assert.Equal(KamuneError.FrameTooLarge, error.Error);
        Assert.Equal(1, pool.Rented);
        Assert.Equal(1, pool.Returned);
        Assert.Equal(0, decoder.BufferedCapacity);
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, "frame header")]
    [InlineData(new byte[] { 0x00, 0x05, 1, 2 }, "expected 5 payload bytes, got 2")]
    [InlineData(new byte[] { 0x00, 0x01, 7, 0x00, 0x03, 1 }, "expected 3 payload bytes, got 1")]
    public void A_stream_cut_inside_a_frame_fails_the_decoder_and_gives_its_buffer_back(byte[] bytes, string detail)
    {
        var pool = new CountingPool();
        var decoder = new FrameDecoder(pool: pool);
        decoder.Append(bytes);
        if (bytes.Length > 3 && decoder.TryReadFrame(out var first))
        {
            Assert.Equal(new byte[] { 7 }, first);
        }

        var error = Assert.Throws<KamuneProtocolException>(decoder.Complete);

        Assert.Equal(KamuneError.FrameTruncated, error.Error);
        Assert.Contains(detail, error.Message);
        Assert.Equal(pool.Rented, pool.Returned);
        Assert.Equal(1, pool.Rented);
    }

    [Fact]
    public void Disposing_a_decoder_with_part_of_a_frame_buffered_gives_its_buffer_back_and_refuses_further_use()
    {
        // The stage disposes its decoder however the stream ends: a reset or a cancel mid-frame included.
        var pool = new CountingPool();
        var decoder = new FrameDecoder(pool: pool);
        decoder.Append([0x01, 0x00, 1, 2, 3]);

        decoder.Dispose();

        Assert.Equal((1, 1), (pool.Rented, pool.Returned));
        Assert.Throws<InvalidOperationException>(() => decoder.Append([1]));
    }

    [Fact]
    public void A_decoder_that_read_every_frame_gives_its_buffer_back_once()
    {
        var pool = new CountingPool();
        var decoder = new FrameDecoder(pool: pool);

        decoder.Append([0x00, 0x02, 9, 9]);
        Assert.True(decoder.TryReadFrame(out _));
        decoder.Complete();
        decoder.Dispose();

        Assert.Equal((1, 1), (pool.Rented, pool.Returned));
    }

    // Hands out fresh arrays and counts; Return of an array it never rented (or twice) fails the test.
    private sealed class CountingPool : ArrayPool<byte>
    {
        private readonly HashSet<byte[]> _out = new(ReferenceEqualityComparer.Instance);

        public int Rented { get; private set; }

        public int Returned { get; private set; }

        public override byte[] Rent(int minimumLength)
        {
            var array = new byte[minimumLength];
            _out.Add(array);
            Rented++;
            return array;
        }

        public override void Return(byte[] array, bool clearArray = false)
        {
            Assert.True(_out.Remove(array), "expected an array this pool rented and not yet returned");
            Returned++;
        }
    }
}

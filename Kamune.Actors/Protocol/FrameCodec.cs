using System.Buffers;
using System.Buffers.Binary;

namespace Kamune.Protocol;

/// <summary>
/// Length framing of protocol.md "Layers" 2: a 2-byte BIG-endian length, then the payload. Go writes
/// the header and the payload in two TCP writes, so readers must never assume one read is one frame.
/// </summary>
internal static class FrameCodec
{
    public const int HeaderSize = 2;
    public const int MaxPayload = ushort.MaxValue;

    /// <summary>A header declaring more than the frame limit: the one error for it, wherever the length is read.</summary>
    public static KamuneProtocolException TooLarge(int declared, int maxFrameLength) => new(
        KamuneError.FrameTooLarge, $"frame length: expected at most {maxFrameLength} bytes, got {declared}.");

    public static byte[] Encode(ReadOnlySpan<byte> payload)
    {
        // Every byte is written below, so the array need not be zeroed first.
        var frame = GC.AllocateUninitializedArray<byte>(HeaderSize + CheckPayload(payload));
        Encode(payload, frame);
        return frame;
    }

    /// <summary>Writes header and payload into <paramref name="destination"/>; returns the frame length.</summary>
    public static int Encode(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        var length = HeaderSize + CheckPayload(payload);
        if (destination.Length < length)
        {
            throw new ArgumentException($"frame buffer: expected at least {length} bytes, got {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)payload.Length);
        payload.CopyTo(destination[HeaderSize..]);
        return length;
    }

    private static int CheckPayload(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayload)
        {
            throw new ArgumentException($"frame payload: expected at most {MaxPayload} bytes, got {payload.Length}.", nameof(payload));
        }

        return payload.Length;
    }
}

/// <summary>
/// Incremental decoder for a stream of <see cref="FrameCodec"/> frames arriving in arbitrary chunks.
/// Fails closed: after a <see cref="KamuneProtocolException"/> the decoder refuses further use,
/// because the stream position is lost.
/// It holds a buffer only while bytes wait in it: an 8 KiB one is rented from the shared pool when a read arrives and
/// given back once every buffered frame has been read; a frame that needs more gets a larger unpooled array for as
/// long as it waits. An idle connection holds no buffer at all, whatever the largest frame it ever saw (the largest
/// padding bucket is 64 KiB); a busy one reuses the same few pooled arrays.
/// The bytes are frames as they came off the wire, so a returned buffer needs no wiping. A failure (a header over the
/// limit, a stream cut inside a frame) gives the buffer back too: a failed decoder holds nothing.
/// </summary>
internal sealed class FrameDecoder : IDisposable
{
    // Akka.IO reads at most 4 KiB at a time; with the unread part of a 4096-bucket frame that stays under 8 KiB.
    private const int PooledSize = 8 * 1024;

    private readonly int _maxFrameLength;
    private readonly ArrayPool<byte> _pool;
    private byte[] _buffer = [];
    private int _start;   // first unread byte
    private int _end;     // one past the last buffered byte
    private int _nextHeader; // where the next not-yet-checked header starts (may lie beyond _end)
    private bool _failed;

    /// <param name="maxFrameLength">The longest payload accepted, in bytes (0 to 65,535); a longer declared length is <see cref="KamuneError.FrameTooLarge"/> and fails the decoder for good.</param>
    /// <param name="pool">Where the common-size buffer comes from; the shared pool unless a test counts rents.</param>
    public FrameDecoder(int maxFrameLength = FrameCodec.MaxPayload, ArrayPool<byte>? pool = null)
    {
        if (maxFrameLength is < 0 or > FrameCodec.MaxPayload)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxFrameLength), maxFrameLength, $"expected 0 to {FrameCodec.MaxPayload}");
        }

        _maxFrameLength = maxFrameLength;
        _pool = pool ?? ArrayPool<byte>.Shared;
    }

    /// <summary>Bytes of buffer this decoder holds right now: none unless bytes of an unread frame wait in it.</summary>
    public int BufferedCapacity => _buffer.Length;

    /// <summary>Buffers <paramref name="chunk"/> and checks every header it completes: an oversized one fails at once.</summary>
    public void Append(ReadOnlySpan<byte> chunk)
    {
        ThrowIfFailed();
        EnsureCapacity(chunk.Length);
        chunk.CopyTo(_buffer.AsSpan(_end));
        _end += chunk.Length;

        while (_nextHeader + FrameCodec.HeaderSize <= _end)
        {
            int declared = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_nextHeader));
            if (declared > _maxFrameLength)
            {
                Fail();
                throw FrameCodec.TooLarge(declared, _maxFrameLength);
            }

            _nextHeader += FrameCodec.HeaderSize + declared;
        }
    }

    public bool TryReadFrame(out byte[] payload)
    {
        ThrowIfFailed();
        payload = [];
        var available = _end - _start;
        if (available < FrameCodec.HeaderSize)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start));
        if (available < FrameCodec.HeaderSize + length)
        {
            return false;
        }

        payload = GC.AllocateUninitializedArray<byte>(length);
        _buffer.AsSpan(_start + FrameCodec.HeaderSize, length).CopyTo(payload);
        _start += FrameCodec.HeaderSize + length;
        if (_start == _end)
        {
            // Drained: every checked header belonged to a frame now read, so _nextHeader == _end.
            Release();
        }

        return true;
    }

    /// <summary>The stream has ended: fails with <see cref="KamuneError.FrameTruncated"/> if a frame was cut short.</summary>
    public void Complete()
    {
        ThrowIfFailed();
        if (_nextHeader == _end)
        {
            // Whole frames only: any still unread stay readable.
            if (_start == _end)
            {
                Release();
            }

            return;
        }

        if (_nextHeader < _end)
        {
            var got = _end - _nextHeader;
            Fail();
            throw new KamuneProtocolException(
                KamuneError.FrameTruncated,
                $"stream ended inside a frame header: expected {FrameCodec.HeaderSize} bytes, got {got}.");
        }

        // The last checked header declared more payload than arrived.
        var headerAt = LastHeaderStart();
        var declared = _nextHeader - headerAt - FrameCodec.HeaderSize;
        var arrived = _end - headerAt - FrameCodec.HeaderSize;
        Fail();
        throw new KamuneProtocolException(
            KamuneError.FrameTruncated,
            $"stream ended inside a frame: expected {declared} payload bytes, got {arrived}.");
    }

    /// <summary>
    /// The stream is over whatever its end (failed, cancelled, aborted): gives the buffer back and refuses further use.
    /// Bytes of a frame still unread are dropped.
    /// </summary>
    public void Dispose() => Fail();

    private int LastHeaderStart()
    {
        var position = _start;
        while (true)
        {
            var next = position + FrameCodec.HeaderSize + BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(position));
            if (next == _nextHeader)
            {
                return position;
            }

            position = next;
        }
    }

    private void EnsureCapacity(int extra)
    {
        if (_end + extra <= _buffer.Length)
        {
            return;
        }

        // Slide the unread bytes to the front before growing, so a long-lived decoder stays small.
        var unread = _end - _start;
        var target = _buffer;
        if (unread + extra > _buffer.Length)
        {
            // Only the common size comes from the shared pool: pooled arrays of the rare large sizes would stay
            // cached per thread and per size long after the large frame that needed them.
            var size = Math.Max(Math.Max(_buffer.Length * 2, PooledSize), unread + extra);
            target = size == PooledSize ? _pool.Rent(PooledSize) : new byte[size];
        }

        Buffer.BlockCopy(_buffer, _start, target, 0, unread);
        if (!ReferenceEquals(target, _buffer))
        {
            ReturnIfPooled(_buffer);
        }

        _buffer = target;
        _nextHeader -= _start;
        _end = unread;
        _start = 0;
    }

    private void ReturnIfPooled(byte[] buffer)
    {
        if (buffer.Length == PooledSize)
        {
            _pool.Return(buffer);
        }
    }

    // The stream position is lost: refuse further use, and give the buffer back now rather than never.
    private void Fail()
    {
        _failed = true;
        Release();
    }

    private void Release()
    {
        ReturnIfPooled(_buffer);
        _buffer = [];
        _start = _end = _nextHeader = 0;
    }

    private void ThrowIfFailed()
    {
        if (_failed)
        {
            throw new InvalidOperationException("frame decoder failed earlier: expected a new decoder for a new stream, got further use.");
        }
    }
}

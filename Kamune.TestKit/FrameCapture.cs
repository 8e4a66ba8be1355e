using System.Buffers.Binary;
using System.Collections;

namespace Kamune.TestKit;

/// <summary>
/// The frame payloads one side wrote (or read), in order, as a TCP capture would show them minus the 2-byte length.
/// Filled from another thread while a session runs: reading it gives the frames captured so far.
/// </summary>
public sealed class FrameCapture : IReadOnlyList<byte[]>
{
    private readonly List<byte[]> _frames = [];

    internal FrameCapture()
    {
    }

    /// <summary>Frames captured so far.</summary>
    public int Count
    {
        get
        {
            lock (_frames)
            {
                return _frames.Count;
            }
        }
    }

    /// <summary>Frame <paramref name="index"/> (0 is the first one written); a copy the caller may keep.</summary>
    public byte[] this[int index]
    {
        get
        {
            lock (_frames)
            {
                return _frames[index];
            }
        }
    }

    /// <summary>The frames captured so far, as a list that no longer changes.</summary>
    public IReadOnlyList<byte[]> Snapshot()
    {
        lock (_frames)
        {
            return [.. _frames];
        }
    }

    /// <summary>The captured frames as one byte stream, as on the wire: uint16be length || payload per frame.</summary>
    public byte[] ToStream()
    {
        var frames = Snapshot();
        var stream = new byte[frames.Sum(f => f.Length + 2)];
        var offset = 0;
        foreach (var frame in frames)
        {
            BinaryPrimitives.WriteUInt16BigEndian(stream.AsSpan(offset), (ushort)frame.Length);
            frame.CopyTo(stream, offset + 2);
            offset += frame.Length + 2;
        }

        return stream;
    }

    /// <inheritdoc />
    public IEnumerator<byte[]> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(ReadOnlySpan<byte> payload)
    {
        var copy = payload.ToArray();
        lock (_frames)
        {
            _frames.Add(copy);
        }
    }
}

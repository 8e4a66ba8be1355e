using System.Buffers.Binary;

namespace Kamune.Tests.Fuzz;

/// <summary>
/// A deterministic, seeded mutation engine over valid captured inputs (the in-process equivalent of a
/// coverage-less libFuzzer loop). Each case stacks one to four mutations: bit flips, byte sets,
/// truncation, extension, splices of two valid inputs, uint16 big-endian length edits (frames, the
/// responder hello) and protobuf varint edits (tags, lengths, over-long and unterminated varints).
/// Outputs never exceed <see cref="FuzzSettings.MaxInput"/>: nothing larger can arrive in one frame.
/// </summary>
public sealed class Mutator
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x08, 0x0a, 0x12, 0x1a, 0x22, 0x0f, 0x10];
    private static readonly ulong[] InterestingValues =
        [0, 1, 2, 12, 16, 24, 32, 44, 64, 0x7f, 0x80, 0xff, 0x100, 1088, 1120, 1184, 1216, 0x7fff, 0xffff, 0x10000, int.MaxValue, uint.MaxValue, long.MaxValue, ulong.MaxValue];

    private readonly Random _random;

    public Mutator(int seed) => _random = new Random(seed);

    public byte[] Next(IReadOnlyList<byte[]> corpus)
    {
        var input = corpus[_random.Next(corpus.Count)];
        var rounds = 1 + _random.Next(4);
        for (var i = 0; i < rounds; i++)
        {
            input = MutateOnce(input, corpus);
        }

        return input.Length > FuzzSettings.MaxInput ? input[..FuzzSettings.MaxInput] : input;
    }

    private byte[] MutateOnce(byte[] input, IReadOnlyList<byte[]> corpus) => _random.Next(9) switch
    {
        0 => FlipBit(input),
        1 => SetByte(input),
        2 => Truncate(input),
        3 => Extend(input),
        4 => Splice(input, corpus[_random.Next(corpus.Count)]),
        5 => EditLength16(input),
        6 => EditVarint(input),
        7 => DeleteRange(input),
        _ => DuplicateRange(input),
    };

    private byte[] FlipBit(byte[] input)
    {
        if (input.Length == 0)
        {
            return [(byte)_random.Next(256)];
        }

        var output = (byte[])input.Clone();
        output[_random.Next(output.Length)] ^= (byte)(1 << _random.Next(8));
        return output;
    }

    private byte[] SetByte(byte[] input)
    {
        if (input.Length == 0)
        {
            return [InterestingBytes[_random.Next(InterestingBytes.Length)]];
        }

        var output = (byte[])input.Clone();
        output[_random.Next(output.Length)] = _random.Next(2) == 0 ? InterestingBytes[_random.Next(InterestingBytes.Length)] : (byte)_random.Next(256);
        return output;
    }

    private byte[] Truncate(byte[] input) => input.Length == 0 ? input : input[.._random.Next(input.Length)];

    private byte[] Extend(byte[] input)
    {
        var extra = new byte[_random.Next(3) switch { 0 => 1 + _random.Next(8), 1 => 1 + _random.Next(256), _ => 1 + _random.Next(4096) }];
        if (_random.Next(2) == 0)
        {
            _random.NextBytes(extra);
        }

        var at = _random.Next(input.Length + 1);
        return [.. input.AsSpan(0, at), .. extra, .. input.AsSpan(at)];
    }

    private byte[] Splice(byte[] first, byte[] second)
    {
        var cutFirst = _random.Next(first.Length + 1);
        var cutSecond = _random.Next(second.Length + 1);
        return [.. first.AsSpan(0, cutFirst), .. second.AsSpan(cutSecond)];
    }

    // Frames and the responder hello start with a uint16 big-endian length; edits near the start hit them most.
    private byte[] EditLength16(byte[] input)
    {
        if (input.Length < 2)
        {
            return Extend(input);
        }

        var output = (byte[])input.Clone();
        var at = _random.Next(3) == 0 ? _random.Next(output.Length - 1) : 0;
        var value = _random.Next(4) switch
        {
            0 => (ushort)InterestingValues[_random.Next(InterestingValues.Length)],
            1 => (ushort)Math.Clamp(output.Length - 2 + _random.Next(-2, 3), 0, ushort.MaxValue),
            2 => ushort.MaxValue,
            _ => (ushort)_random.Next(65536),
        };
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(at), value);
        return output;
    }

    // Replaces the length varint after a length-delimited protobuf tag (wire type 2) with an extreme,
    // over-long or unterminated one; without such a tag, a varint lands at a random position.
    private byte[] EditVarint(byte[] input)
    {
        var tags = new List<int>();
        for (var i = 0; i + 1 < input.Length && tags.Count < 64; i++)
        {
            if ((input[i] & 0x07) == 2 && input[i] >> 3 is >= 1 and <= 15)
            {
                tags.Add(i);
            }
        }

        byte[] replacement = _random.Next(4) switch
        {
            0 => Varint(InterestingValues[_random.Next(InterestingValues.Length)]),
            1 => [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // eleven bytes: malformed
            2 => [0x80, 0x80, 0x80],                                                 // never terminates
            _ => [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],       // over-long encoding of 0
        };

        if (tags.Count == 0)
        {
            var at = _random.Next(input.Length + 1);
            return [.. input.AsSpan(0, at), .. replacement, .. input.AsSpan(at)];
        }

        var start = tags[_random.Next(tags.Count)] + 1;
        var end = start;
        while (end < input.Length && end - start < 10 && (input[end] & 0x80) != 0)
        {
            end++;
        }

        end = Math.Min(end + 1, input.Length);
        return [.. input.AsSpan(0, start), .. replacement, .. input.AsSpan(end)];
    }

    private byte[] DeleteRange(byte[] input)
    {
        if (input.Length == 0)
        {
            return input;
        }

        var at = _random.Next(input.Length);
        var count = 1 + _random.Next(Math.Min(64, input.Length - at));
        return [.. input.AsSpan(0, at), .. input.AsSpan(at + count)];
    }

    private byte[] DuplicateRange(byte[] input)
    {
        if (input.Length == 0)
        {
            return input;
        }

        var at = _random.Next(input.Length);
        var count = 1 + _random.Next(Math.Min(256, input.Length - at));
        return [.. input.AsSpan(0, at + count), .. input.AsSpan(at, count), .. input.AsSpan(at + count)];
    }

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>(10);
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }
}

using System.Text;

namespace Kamune.Tests.Fuzz;

/// <summary>One field of a message schema: its number, its wire type and a generator of a valid encoded value.</summary>
public sealed record ShapeField(int Number, int WireType, Func<Random, byte[]> Value);

/// <summary>
/// Builds protobuf-shaped byte strings for a schema, the inputs random bytes almost never reach: known fields
/// (repeated, so "last wins" matters), known field numbers with another wire type, unknown fields of every wire type
/// (groups nested up to and past the recursion limit), tags and varints in over-long encodings, and, now and then,
/// one malformed piece (field number 0, wire types 6 and 7, stray or mismatched end-group tags, cut-off and
/// 11-byte varints, negative and overrunning lengths). Seeded, so every case replays.
/// </summary>
public static class ProtoShaper
{
    public static readonly ulong[] InterestingVarints =
    [
        0, 1, 2, 5, 13, 14, 127, 128, 16383, 16384, int.MaxValue, (ulong)int.MaxValue + 1, uint.MaxValue, (ulong)uint.MaxValue + 6,
        long.MaxValue, ulong.MaxValue, unchecked((ulong)-1L), unchecked((ulong)-62135596800L), unchecked((ulong)-62135596799L),
        253402300798, 253402300799, 999_999_999, 1_000_000_000,
    ];

    private static readonly int[] UnknownNumbers = [5, 6, 15, 16, 100, 2047, 2048, 536_870_911];

    public static byte[] Message(Random random, IReadOnlyList<ShapeField> schema, int malformedPercent = 8)
    {
        var output = new List<byte>();
        var pieces = random.Next(8);
        for (var i = 0; i < pieces; i++)
        {
            var roll = random.Next(100);
            if (roll < malformedPercent)
            {
                output.AddRange(Malformed(random));
            }
            else if (roll < 55 || schema.Count == 0)
            {
                var field = schema.Count == 0 ? null : schema[random.Next(schema.Count)];
                if (field is null)
                {
                    output.AddRange(Unknown(random, 0));
                    continue;
                }

                output.AddRange(Tag(random, field.Number, field.WireType));
                output.AddRange(field.Value(random));
            }
            else if (roll < 70)
            {
                var field = schema[random.Next(schema.Count)];
                var wireType = new[] { 0, 1, 2, 3, 5 }.Where(w => w != field.WireType).ElementAt(random.Next(4));
                output.AddRange(Tag(random, field.Number, wireType));
                output.AddRange(ValueOf(random, wireType, field.Number, 0));
            }
            else
            {
                output.AddRange(Unknown(random, 0));
            }
        }

        return [.. output];
    }

    public static byte[] Varint(ulong value, int extraBytes = 0)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);

        // Over-long but valid: continuation bytes of zero, never past 10 bytes in all.
        for (var i = 0; i < extraBytes && bytes.Count < 10; i++)
        {
            bytes[^1] |= 0x80;
            bytes.Add(0);
        }

        return [.. bytes];
    }

    public static byte[] InterestingVarint(Random random) =>
        Varint(random.Next(4) == 0 ? (ulong)random.NextInt64() : InterestingVarints[random.Next(InterestingVarints.Length)], OverLong(random));

    public static byte[] LengthDelimited(Random random, byte[] content) => [.. Varint((ulong)content.Length, OverLong(random)), .. content];

    public static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(5) switch { 0 => 0, 1 => 1, 2 => random.Next(40), 3 => 64, _ => random.Next(600) }];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Valid ASCII, valid multi-byte UTF-8, or bytes that are mostly not UTF-8 at all.</summary>
    public static byte[] StringBytes(Random random) => random.Next(4) switch
    {
        0 => Encoding.ASCII.GetBytes(new string(Enumerable.Range(0, 26).Select(_ => (char)('A' + random.Next(26))).ToArray())),
        1 => Encoding.UTF8.GetBytes("é😀ß" + random.Next()),
        2 => [0xc3, 0x28],
        _ => RandomBytes(random),
    };

    private static int OverLong(Random random) => random.Next(6) == 0 ? 1 + random.Next(9) : 0;

    private static byte[] Tag(Random random, int number, int wireType)
    {
        var tag = ((ulong)(uint)number << 3) | (uint)wireType;

        // Bits past 32 in a tag are dropped by the parser: sometimes set them.
        return random.Next(12) == 0 ? Varint(tag | (1UL << (35 + random.Next(20)))) : Varint(tag, OverLong(random));
    }

    private static byte[] Unknown(Random random, int depth)
    {
        var number = random.Next(3) == 0 ? 1 + random.Next(30) : UnknownNumbers[random.Next(UnknownNumbers.Length)];
        var wireType = new[] { 0, 1, 2, 3, 5 }[random.Next(5)];
        return [.. Tag(random, number, wireType), .. ValueOf(random, wireType, number, depth)];
    }

    private static byte[] ValueOf(Random random, int wireType, int number, int depth) => wireType switch
    {
        0 => InterestingVarint(random),
        1 => RandomFixed(random, 8),
        2 => LengthDelimited(random, RandomBytes(random)),
        3 => GroupBody(random, number, depth),
        _ => RandomFixed(random, 4),
    };

    private static byte[] RandomFixed(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    // Contents of a group then its end tag; deeper groups get rarer.
    private static byte[] GroupBody(Random random, int number, int depth)
    {
        var body = new List<byte>();
        if (depth < 4)
        {
            for (var i = random.Next(3); i > 0; i--)
            {
                body.AddRange(Unknown(random, depth + 1));
            }
        }

        body.AddRange(Tag(random, number, 4));
        return [.. body];
    }

    private static byte[] Malformed(Random random)
    {
        var number = 1 + random.Next(20);
        return random.Next(12) switch
        {
            0 => Varint(((ulong)number << 3) | 4),                                       // end group with no group open
            1 => [.. Varint(((ulong)number << 3) | (uint)(6 + random.Next(2))), 0x01],   // wire type 6 or 7
            2 => random.Next(2) == 0 ? [(byte)random.Next(8)] : [0x82, 0x00],             // field number 0
            3 => [0x80],                                                                 // cut-off varint
            4 => [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 11-byte varint
            5 => [.. Varint(((ulong)number << 3) | 2), 0xff, 0xff, 0xff, 0xff, 0x0f],    // negative length
            6 => [.. Varint(((ulong)number << 3) | 2), 0x7f, 0x01, 0x02],                // length past the end
            7 => Varint(((ulong)number << 3) | 3),                                       // group never closed
            8 => [.. Varint(((ulong)number << 3) | 3), .. Varint(((ulong)(number + 1) << 3) | 4)], // mismatched end
            9 => NestedGroups(number, 97 + random.Next(5)),                              // around the recursion limit
            10 => [.. Varint(((ulong)number << 3) | 1), 0x01, 0x02],                     // fixed64 cut short
            _ => [.. Varint(((ulong)number << 3) | 5), 0x01],                            // fixed32 cut short
        };
    }

    private static byte[] NestedGroups(int number, int depth)
    {
        var open = Varint(((ulong)number << 3) | 3);
        var close = Varint(((ulong)number << 3) | 4);
        return [.. Enumerable.Repeat(open, depth).SelectMany(b => b), .. Enumerable.Repeat(close, depth).SelectMany(b => b)];
    }
}

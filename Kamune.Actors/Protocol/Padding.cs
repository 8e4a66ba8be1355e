using System.Buffers.Binary;

namespace Kamune.Protocol;

/// <summary>
/// Bucketed padding of every SignedTransport before encryption (protocol.md "Padding"): the serialized
/// message is rounded up to a size bucket, sometimes a larger one, so lengths leak little.
/// </summary>
internal static class Padding
{
    /// <summary>The last bucket: 65,535 minus the 40 bytes of session nonce and tag, so a padded frame always fits.</summary>
    public const int LastBucket = 65495;

    private static readonly int[] BucketSizes = [512, 1024, 4096, 16384, 32768, LastBucket];

    // Bump by +0/+1/+2/+3 buckets with these percentages (protocol.md "Padding").
    private static readonly int[] BumpPercent = [80, 15, 4, 1];

    public static ReadOnlySpan<int> Buckets => BucketSizes;

    /// <summary>Index of the smallest bucket that holds <paramref name="baseSize"/>; the last bucket if none does.</summary>
    public static int NaturalBucketIndex(int baseSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(baseSize);
        for (var i = 0; i < BucketSizes.Length; i++)
        {
            if (baseSize <= BucketSizes[i])
            {
                return i;
            }
        }

        return BucketSizes.Length - 1;
    }

    /// <summary>
    /// The bump level 0..3 drawn from <paramref name="random"/>: a uint32 (big-endian) modulo 100 is a percentile
    /// (bias below 3e-8), mapped as [0,80) -> 0, [80,95) -> 1, [95,99) -> 2, 99 -> 3.
    /// </summary>
    public static int ChooseBump(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> draw = stackalloc byte[4];
        random.Fill(draw);
        var percentile = (int)(BinaryPrimitives.ReadUInt32BigEndian(draw) % 100);
        for (var bump = 0; bump < BumpPercent.Length; bump++)
        {
            if (percentile < BumpPercent[bump])
            {
                return bump;
            }

            percentile -= BumpPercent[bump];
        }

        return BumpPercent.Length - 1;
    }

    /// <summary>Target size: the natural bucket bumped by <see cref="ChooseBump"/>, capped at the last bucket.</summary>
    public static int ChooseTarget(int baseSize, IRandomSource random) =>
        BucketSizes[Math.Min(NaturalBucketIndex(baseSize) + ChooseBump(random), BucketSizes.Length - 1)];

    /// <summary>
    /// Length of the random Padding field (4) that brings a <paramref name="baseSize"/>-byte SignedTransport as
    /// close to <paramref name="target"/> as the field's own tag and varint length allow. Same fixed point as the
    /// Go reference (start at target-base-4, at most four refinements), so sizes match a Go peer's exactly.
    /// 0 means the field is omitted; then the message stays 1-2 bytes short of the bucket.
    /// </summary>
    public static int PadLength(int baseSize, int target)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(baseSize);
        if (baseSize >= target)
        {
            return 0;
        }

        var padLength = Math.Max(target - baseSize - 4, 0);
        for (var round = 0; round < 4; round++)
        {
            var next = Math.Max(target - baseSize - FieldOverhead(padLength), 0);
            if (next == padLength)
            {
                break;
            }

            padLength = next;
        }

        return padLength;
    }

    /// <summary>Bytes the Padding field adds to the message: 0 when empty (omitted), else tag + varint + bytes.</summary>
    public static int PaddedFieldSize(int padLength) =>
        padLength == 0 ? 0 : FieldOverhead(padLength) + padLength;

    private static int FieldOverhead(int length) => 1 + VarintSize((uint)length);

    internal static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }
}

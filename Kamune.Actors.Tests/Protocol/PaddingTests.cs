using Kamune.Protocol;
using Kamune.Tests.Support;

namespace Kamune.Tests.Protocol;

public class PaddingTests
{
    [Fact]
    public void Targets_stay_within_three_buckets_above_natural_and_never_past_the_last()
    {
        var random = new DeterministicRandomSource(11);
        var buckets = Padding.Buckets.ToArray();
        foreach (var baseSize in new[] { 0, 1, 511, 512, 513, 4000, 20000, 32768, 40000, 65495, 70000 })
        {
            var natural = Padding.NaturalBucketIndex(baseSize);
            for (var i = 0; i < 50; i++)
            {
                var index = Array.IndexOf(buckets, Padding.ChooseTarget(baseSize, random));
                Assert.InRange(index, natural, Math.Min(natural + 3, buckets.Length - 1));
            }
        }
    }

    [Theory]
    [InlineData(0u, 0)]
    [InlineData(79u, 0)]
    [InlineData(80u, 1)]
    [InlineData(94u, 1)]
    [InlineData(95u, 2)]
    [InlineData(98u, 2)]
    [InlineData(99u, 3)]
    [InlineData(100u, 0)]
    [InlineData(4294967295u, 2)] // 4,294,967,295 mod 100 = 95
    public void Bump_maps_uint32_modulo_100_to_levels(uint draw, int expectedBump)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, draw);
        Assert.Equal(expectedBump, Padding.ChooseBump(ScriptedRandomSource.ThenZeros(bytes)));
    }

    [Fact]
    public void Largest_bump_from_the_second_last_bucket_is_capped_at_the_last()
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, 99);
        Assert.Equal(Padding.LastBucket, Padding.ChooseTarget(20000, ScriptedRandomSource.ThenZeros(bytes)));
    }

    [Fact]
    public void Pad_length_never_overshoots_the_target()
    {
        foreach (var target in Padding.Buckets.ToArray())
        {
            for (var baseSize = Math.Max(0, target - 300); baseSize <= target + 2; baseSize++)
            {
                var size = baseSize + Padding.PaddedFieldSize(Padding.PadLength(baseSize, target));
                Assert.True(size <= Math.Max(target, baseSize), $"base {baseSize} target {target}: got {size}");
                Assert.True(baseSize >= target || size >= target - 2, $"base {baseSize} target {target}: got {size}");
            }
        }
    }

    [Fact]
    public void Negative_base_size_is_a_programming_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Padding.NaturalBucketIndex(-1));
    }
}

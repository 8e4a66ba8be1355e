using System.Text.Json;
using Kamune.Protocol;
using Kamune.Tests.Vectors;
using Kamune.Tests.Support;

namespace Kamune.Tests.Protocol;

/// <summary>go-reference-0.7.0.json, section padding (and the padded Introduce of section protobuf).</summary>
public class GoReferenceVectors_PaddingTests
{
    private static JsonElement Section => VectorFile.GoReference.GetProperty("padding");

    [Fact]
    public void Buckets_match_go()
    {
        var expected = Section.GetProperty("buckets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(expected, Padding.Buckets.ToArray());
        Assert.Equal(Padding.LastBucket, expected[^1]);
    }

    [Fact]
    public void Bump_percentages_match_go_when_counting_every_percentile()
    {
        // Drive ChooseBump with each uint32 value 0..99 once: each percentile maps to exactly one bump level.
        var expected = Section.GetProperty("bump_probabilities_percent").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var counts = new int[expected.Length];
        for (uint value = 0; value < 100; value++)
        {
            var draw = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(draw, value);
            counts[Padding.ChooseBump(ScriptedRandomSource.ThenZeros(draw))]++;
        }

        Assert.Equal(expected, counts);
    }

    [Fact]
    public void Zero_bump_examples_give_go_pad_length_and_final_size()
    {
        foreach (var example in Section.GetProperty("examples_bump0_zero_padding").EnumerateArray())
        {
            var baseSize = example.GetProperty("base_size").GetInt32();
            var target = example.GetProperty("natural_target").GetInt32();
            var padLength = example.GetProperty("pad_len").GetInt32();

            Assert.Equal(target, Padding.Buckets[Padding.NaturalBucketIndex(baseSize)]);
            Assert.Equal(target, Padding.ChooseTarget(baseSize, ScriptedRandomSource.Zeros()));
            Assert.Equal(padLength, Padding.PadLength(baseSize, target));
            Assert.Equal(example.GetProperty("final_size").GetInt32(), baseSize + Padding.PaddedFieldSize(padLength));
        }
    }

    [Fact]
    public void Introduce_padding_numbers_match_go()
    {
        var padding = VectorFile.GoReference.GetProperty("protobuf").GetProperty("introduce").GetProperty("padding");
        var baseSize = padding.GetProperty("base_size").GetInt32();
        var target = padding.GetProperty("target").GetInt32();
        var unpadded = VectorFile.Hex(VectorFile.GoReference.GetProperty("protobuf").GetProperty("introduce").GetProperty("signed_transport_unpadded"));

        Assert.Equal(unpadded.Length, baseSize);
        Assert.Equal(target, Padding.ChooseTarget(baseSize, ScriptedRandomSource.Zeros()));
        Assert.Equal(padding.GetProperty("pad_len").GetInt32(), Padding.PadLength(baseSize, target));
    }
}

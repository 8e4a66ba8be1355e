using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Protocol;
using Kamune.Tests.Fuzz;
using Kamune.Wire;
using Microsoft.FSharp.Core;

namespace Kamune.Tests.Protocol;

/// <summary>
/// The hand-written Metadata encoder of the send path against Google.Protobuf's: the same bytes for every value
/// (field order, omitted zeros, sign-extended negatives) and, for <see cref="MetadataFactory.WriteSession"/>, the
/// same random draws as <see cref="MetadataFactory.Session"/>, so seeded sessions stay byte-identical.
/// </summary>
public class MetadataWriterTests
{
    private static readonly long[] InterestingSeconds = [0, 1, -1, 127, 128, -62135596800, 253402300799, long.MinValue, long.MaxValue, 1767225600];
    private static readonly int[] InterestingNanos = [0, 1, -1, 127, 128, 999_999_900, 999_999_999, int.MinValue, int.MaxValue];

    private static Config Config => Config.QuickThrowOnFailure
        .WithMaxTest(FuzzSettings.PropertyCases)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd((ulong)FuzzSettings.Seed, 0x7f4a7c159e3779b9UL), FSharpOption<int>.None)));

    [Fact]
    public void WriteSession_writes_the_bytes_of_Session_ToByteArray_from_the_same_draws()
    {
        var times =
            from ticks in Gen.Frequency(
                (3, Gen.Choose(0, int.MaxValue).Select(n => DateTimeOffset.UnixEpoch.UtcTicks + (long)n * 10_000_019)),
                (1, Gen.Elements(0L, 1L, DateTimeOffset.UnixEpoch.UtcTicks - 1, DateTimeOffset.UnixEpoch.UtcTicks, DateTimeOffset.MaxValue.UtcTicks)))
            from route in Gen.Choose(1, 13)
            from sequence in Gen.Elements(1UL, 2UL, 127UL, 128UL, uint.MaxValue, ulong.MaxValue - 1, ulong.MaxValue)
            from seed in Gen.Choose(0, int.MaxValue)
            select (ticks, Route: (Route)route, sequence, seed);

        Check.One(Config, Prop.ForAll(Arb.From(times), c =>
        {
            var clock = new ManualClock(new DateTimeOffset(c.ticks, TimeSpan.Zero));
            var expectedRandom = new DeterministicRandomSource((ulong)c.seed);
            var actualRandom = new DeterministicRandomSource((ulong)c.seed);
            var expected = MetadataFactory.Session(c.Route, c.sequence, clock, expectedRandom).ToByteArray();
            Span<byte> written = stackalloc byte[MetadataFactory.MaxSessionLength];
            var length = MetadataFactory.WriteSession(c.Route, c.sequence, clock, actualRandom, written);

            // Both sources must also stand at the same point afterwards: the next draw is the same.
            return written[..length].SequenceEqual(expected) && NextDraw(expectedRandom).SequenceEqual(NextDraw(actualRandom));
        }));
    }

    [Fact]
    public void Write_matches_Google_Protobuf_for_any_field_values()
    {
        var values =
            from id in Gen.Elements(string.Empty, "A", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "é😀")
            from hasTimestamp in Gen.Elements(true, false)
            from seconds in Gen.Frequency((2, Gen.Elements(InterestingSeconds)), (1, Gen.Choose(int.MinValue, int.MaxValue).Select(n => (long)n * 977)))
            from nanos in Gen.Frequency((2, Gen.Elements(InterestingNanos)), (1, Gen.Choose(int.MinValue, int.MaxValue)))
            from sequence in Gen.Elements(0UL, 1UL, 300UL, ulong.MaxValue)
            from route in Gen.Elements(0, 1, 13, 14, 127, 128, -1, int.MinValue, int.MaxValue)
            select (id, hasTimestamp, seconds, nanos, sequence, Route: (Route)route);

        Check.One(Config, Prop.ForAll(Arb.From(values), v =>
        {
            var message = new Metadata { ID = v.id, Sequence = v.sequence, Route = v.Route };
            if (v.hasTimestamp)
            {
                message.Timestamp = new Timestamp { Seconds = v.seconds, Nanos = v.nanos };
            }

            var buffer = new byte[128];
            var length = MetadataFactory.Write(System.Text.Encoding.UTF8.GetBytes(v.id), v.hasTimestamp, v.seconds, v.nanos, v.sequence, v.Route, buffer);
            return buffer.AsSpan(0, length).SequenceEqual(message.ToByteArray());
        }));
    }

    [Fact]
    public void WriteSession_refuses_a_buffer_shorter_than_the_largest_metadata()
    {
        var error = Assert.Throws<ArgumentException>(() => MetadataFactory.WriteSession(
            Route.Ping, 1, new ManualClock(DateTimeOffset.UnixEpoch), new DeterministicRandomSource(1), new byte[MetadataFactory.MaxSessionLength - 1]));
        Assert.Contains($"expected at least {MetadataFactory.MaxSessionLength} bytes, got {MetadataFactory.MaxSessionLength - 1}", error.Message);
    }

    private static byte[] NextDraw(IRandomSource random)
    {
        var bytes = new byte[16];
        random.Fill(bytes);
        return bytes;
    }
}

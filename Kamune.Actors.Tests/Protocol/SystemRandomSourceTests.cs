namespace Kamune.Tests.Protocol;

/// <summary>
/// The OS source serves small draws from a per-thread block: every byte must still be used once only, every size
/// must be filled completely, and threads must not share bytes.
/// </summary>
public sealed class SystemRandomSourceTests
{
    [Fact]
    public void Small_draws_across_many_block_refills_never_repeat()
    {
        // 3,000 draws of 26 bytes (a message ID) is about 19 refills of the 4 KiB block.
        var seen = new HashSet<string>();
        var draw = new byte[26];
        for (var i = 0; i < 3000; i++)
        {
            SystemRandomSource.Instance.Fill(draw);
            Assert.True(seen.Add(Convert.ToHexString(draw)), $"expected a fresh draw, got a repeat at draw {i}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(24)]
    [InlineData(1024)]
    [InlineData(1025)]
    [InlineData(4096)]
    [InlineData(65_000)]
    public void Every_size_is_filled_completely(int size)
    {
        // Draws of mixed sizes so the block's position varies; each 64-byte chunk of random output being all zero has
        // probability 2^-512, so a zero chunk means bytes were left unfilled.
        foreach (var before in new[] { 0, 7, 4000 })
        {
            SystemRandomSource.Instance.Fill(new byte[before]);
            var buffer = new byte[size];
            SystemRandomSource.Instance.Fill(buffer);
            for (var offset = 0; offset + 64 <= size; offset += 64)
            {
                Assert.True(buffer.AsSpan(offset, 64).ContainsAnyExcept((byte)0), $"expected random bytes at {offset}..{offset + 63} of {size}");
            }

            if (size < 64)
            {
                // Two 1-byte draws are equal one time in 256, so 16 more draws all equal to this one is the failure
                // (chance 2^-120 for one byte).
                var again = new byte[size];
                var allEqual = true;
                for (var draw = 0; draw < 16 && allEqual; draw++)
                {
                    SystemRandomSource.Instance.Fill(again);
                    allEqual = buffer.AsSpan().SequenceEqual(again);
                }

                Assert.False(allEqual, $"expected {size}-byte draws to differ, got 17 equal ones");
            }
        }
    }

    [Fact]
    public void Threads_draw_distinct_bytes()
    {
        var draws = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            var draw = new byte[16];
            for (var i = 0; i < 500; i++)
            {
                SystemRandomSource.Instance.Fill(draw);
                draws.Add(Convert.ToHexString(draw));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(2000, draws.Distinct().Count());
    }
}

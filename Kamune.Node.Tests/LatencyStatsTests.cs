using Kamune.Node.Bench;

namespace Kamune.Node.Tests;

public sealed class LatencyStatsTests
{
    [Theory]
    [InlineData(50, 100, 49)]
    [InlineData(99, 100, 98)]
    [InlineData(100, 100, 99)]
    [InlineData(99.9, 10, 9)]
    [InlineData(50, 1, 0)]
    [InlineData(1, 1000, 9)]
    public void Rank_is_the_nearest_rank_index(double percent, int count, int expected)
    {
        Assert.Equal(expected, LatencyStats.Rank(percent, count));
    }

    [Fact]
    public void Percentiles_sort_the_samples_first()
    {
        var stats = new LatencyStats(5);
        var tick = System.Diagnostics.Stopwatch.Frequency / 1000;
        foreach (var ms in new[] { 5, 1, 4, 2, 3 })
        {
            stats.Add(ms * tick);
        }

        var result = stats.Percentiles(20, 60, 100);

        Assert.Equal([1.0, 3.0, 5.0], result.Select(t => Math.Round(t.TotalMilliseconds)).ToArray());
    }
}

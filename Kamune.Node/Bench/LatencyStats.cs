namespace Kamune.Node.Bench;

/// <summary>Latency samples in Stopwatch ticks and their nearest-rank percentiles.</summary>
internal sealed class LatencyStats
{
    private readonly long[] _samples;
    private int _count;

    public LatencyStats(int capacity)
    {
        _samples = new long[capacity];
    }

    public int Count => _count;

    public void Add(long ticks)
    {
        if (_count < _samples.Length)
        {
            _samples[_count++] = ticks;
        }
    }

    /// <summary>Nearest-rank percentiles (0 &lt; p &lt;= 100) of the samples so far, as durations.</summary>
    public TimeSpan[] Percentiles(params double[] percents)
    {
        if (_count == 0)
        {
            return percents.Select(_ => TimeSpan.Zero).ToArray();
        }

        var sorted = _samples.AsSpan(0, _count).ToArray();
        Array.Sort(sorted);
        var result = new TimeSpan[percents.Length];
        for (var i = 0; i < percents.Length; i++)
        {
            result[i] = ToTimeSpan(sorted[Rank(percents[i], sorted.Length)]);
        }

        return result;
    }

    /// <summary>The 0-based index of the nearest-rank percentile: ceil(p/100 * n) - 1, clamped to the samples.</summary>
    internal static int Rank(double percent, int count)
    {
        if (percent is <= 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "expected 0 < percent <= 100");
        }

        return Math.Clamp((int)Math.Ceiling(percent / 100 * count) - 1, 0, count - 1);
    }

    private static TimeSpan ToTimeSpan(long ticks) =>
        TimeSpan.FromSeconds((double)ticks / System.Diagnostics.Stopwatch.Frequency);
}

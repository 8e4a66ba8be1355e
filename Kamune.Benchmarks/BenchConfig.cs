using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Kamune.Benchmarks;

/// <summary>
/// The run configuration. The default job is deliberately short (one launch, 3 warm-up and 8 measured
/// iterations of ~150 ms) so that the whole suite finishes in minutes on a small, shared machine;
/// pass <c>--job default</c> (or any other BenchmarkDotNet job) for a longer, tighter run.
/// </summary>
public static class BenchConfig
{
    public static readonly Job Quick = Job.Default
        .WithId("Quick")
        .WithLaunchCount(1)
        .WithWarmupCount(3)
        .WithIterationCount(8)
        .WithIterationTime(TimeInterval.FromMilliseconds(150));

    public static IConfig Create(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddColumn(StatisticColumn.Median)
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        var explicitJob = args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal));
        return explicitJob ? config : config.AddJob(Quick);
    }
}

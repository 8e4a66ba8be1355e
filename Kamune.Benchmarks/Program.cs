using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Kamune.Benchmarks;

// BenchmarkSwitcher: `--filter '*Envelope*'` runs a subset, `--list flat` lists them. Without an
// explicit `--job`, every benchmark runs with the short "Quick" job of BenchConfig.
var config = BenchConfig.Create(args);
BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run(args, config);

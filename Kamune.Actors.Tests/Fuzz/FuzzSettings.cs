using System.Globalization;

namespace Kamune.Tests.Fuzz;

/// <summary>
/// How many cases each fuzz and property target runs. The CI default keeps the whole Fuzz folder
/// under a minute on two busy cores; set KAMUNE_FUZZ_ITERATIONS (cases per target, e.g. 200000)
/// for the longer mode documented in docs/reliability.md, and KAMUNE_FUZZ_SEED to explore a
/// different but still reproducible sequence of mutations.
/// </summary>
public static class FuzzSettings
{
    public const int DefaultMutationCases = 2000;
    public const int DefaultPropertyCases = 300;
    public const int DefaultSeed = 0x6b616d;

    /// <summary>No network input is larger than one frame payload (protocol.md "Layers" 2).</summary>
    public const int MaxInput = ushort.MaxValue;

    /// <summary>Allocation bound per case: a generous multiple of the frame limit, far below what a forged length could ask for.</summary>
    public const long MaxAllocatedBytes = 16L * ushort.MaxValue;

    /// <summary>Hang detector only, not a performance assertion.</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(5);

    public static int MutationCases => Iterations ?? DefaultMutationCases;

    public static int PropertyCases => Iterations ?? DefaultPropertyCases;

    public static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("KAMUNE_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : DefaultSeed;

    private static int? Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("KAMUNE_FUZZ_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : null;
}

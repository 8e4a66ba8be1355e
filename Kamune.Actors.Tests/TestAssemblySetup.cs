using System.Runtime.CompilerServices;

namespace Kamune.Tests;

internal static class TestAssemblySetup
{
    // Dozens of ActorSystems, TCP streams and blocking TestKit waits share this process on a 2-core machine, and the
    // thread pool's default minimum is one thread per core. The stall this was added for had its cause in the
    // library (Akka's scheduler started by a burst of dial timers) and is fixed there; without this minimum some
    // timing-sensitive tests still failed now and then (docs/reliability.md, finding 4), so it stays for now.
    // KAMUNE_TEST_DEFAULT_THREADPOOL=1 keeps the runtime's default minimum, as a node runs.
    [ModuleInitializer]
    internal static void RaiseThreadPoolMinimum()
    {
        if (Environment.GetEnvironmentVariable("KAMUNE_TEST_DEFAULT_THREADPOOL") == "1")
        {
            return;
        }

        ThreadPool.GetMinThreads(out var worker, out var io);
        ThreadPool.SetMinThreads(Math.Max(worker, 64), Math.Max(io, 64));
    }
}

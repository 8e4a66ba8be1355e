using System.Runtime.CompilerServices;

namespace Kamune.Tests;

internal static class TestAssemblySetup
{
    // Dozens of ActorSystems, TCP streams and blocking TestKit waits share this process on a 2-core machine. The thread
    // pool's default minimum (one thread per core) then grows by about one thread per second when starved, which
    // under load stretched a run by minutes (docs/reliability.md, finding 4). Starting with more threads keeps the
    // timeouts the tests assert on meaningful; it does not change what the library does.
    // KAMUNE_TEST_DEFAULT_THREADPOOL=1 keeps the runtime's default minimum, to reproduce starvation.
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

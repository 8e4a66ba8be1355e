using System.Reflection;
using Akka.Actor;
using Kamune.Identity;

namespace Kamune.Tests.Runtime;

// docs/reliability.md finding 4: Akka's scheduler starts on its first use, and every call made before its tick loop
// runs blocks a thread-pool thread. A burst of dials used to be that first use (each connection arms its dial timer
// in PreStart), and the process stalled for minutes. Kamune now starts the scheduler when it is configured.
public sealed class SchedulerStartTests
{
    [Fact]
    public async Task Configuring_Kamune_starts_the_Akka_scheduler_before_any_connection_can_arm_a_timer()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x5c));
        var system = ActorSystem.Create("scheduler-start", KamuneConfig.Default);
        try
        {
            // A fresh system has not started its scheduler: without Kamune's start, the first connection would.
            Assert.False(SchedulerStarted(system), "expected a new ActorSystem's scheduler not started yet, got it started");

            KamuneExtension.Configure(system, new KamuneNodeOptions(key, AcceptAllVerifier.Instance));

            Assert.True(SchedulerStarted(system), "expected the scheduler started once Kamune is configured, got it not started");
        }
        finally
        {
            await system.Terminate();
        }
    }

    // HashedWheelTimerScheduler sets _startTime when its tick loop begins; until then every schedule call waits.
    private static bool SchedulerStarted(ActorSystem system)
    {
        var scheduler = system.Scheduler;
        var startTime = scheduler.GetType().GetField("_startTime", BindingFlags.Instance | BindingFlags.NonPublic);
        Assert.True(startTime is not null,
            $"expected Akka's {scheduler.GetType().Name} to have the lazily set _startTime field, got none: " +
            "re-check docs/reliability.md finding 4 against this Akka.NET version");
        return (long)startTime!.GetValue(scheduler)! != 0;
    }
}

using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;

namespace Kamune.TestKit;

/// <summary>
/// Virtual time for session tests: an ActorSystem on <see cref="Config"/> runs Akka.TestKit's <see cref="TestScheduler"/>,
/// whose timers (a session's handshake, idle and keep-alive timers among them) fire only when the test calls
/// <see cref="TestScheduler.Advance(TimeSpan)"/>. No test then waits for the clock.
/// </summary>
public static class VirtualTime
{
    /// <summary>The configuration that makes a system's scheduler the TestScheduler; use it as a fallback of your own.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString(
        """akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit" """);

    /// <summary><paramref name="system"/>'s TestScheduler; throws if the system was not started on <see cref="Config"/>.</summary>
    public static TestScheduler Scheduler(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.Scheduler as TestScheduler ?? throw new InvalidOperationException(
            $"VirtualTime: expected system \"{system.Name}\" on a TestScheduler (VirtualTime.Config), got {system.Scheduler.GetType().Name}");
    }
}

using Akka.Actor;

namespace Kamune.TestKit;

/// <summary>
/// The scheduler's time as a session's <see cref="IMonotonicClock"/>: under Akka.TestKit's TestScheduler, idle and
/// keep-alive accounting then follows <c>TestScheduler.Advance</c> instead of the machine's clock.
/// </summary>
public sealed class SchedulerClock(IScheduler scheduler) : IMonotonicClock
{
    private readonly DateTimeOffset _start = scheduler.Now;

    /// <inheritdoc />
    public TimeSpan Elapsed => scheduler.Now - _start;
}

namespace Kamune.TestKit;

/// <summary>
/// A monotonic clock that only moves when told to, and only forward: the test double for <see cref="IMonotonicClock"/>
/// (rate limits, budgets and idle accounting measured in elapsed time).
/// </summary>
public sealed class ManualMonotonicClock : IMonotonicClock
{
    private long _ticks;

    /// <inheritdoc />
    public TimeSpan Elapsed => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    /// <summary>Moves the clock forward by <paramref name="by"/>; safe from any thread.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> is negative.</exception>
    public void Advance(TimeSpan by)
    {
        // A monotonic clock never goes back; a test that tries means a wall-clock step, which this clock cannot see.
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _ticks, by.Ticks);
    }
}

namespace Kamune.TestKit;

/// <summary>
/// A wall clock that only moves when told to: the test double for <see cref="IClock"/> (envelope timestamps), so a
/// session's bytes do not depend on when the test ran.
/// </summary>
public sealed class ManualClock : IClock
{
    private long _ticks;

    /// <summary>A clock that reads <paramref name="start"/> until <see cref="Advance"/> moves it.</summary>
    public ManualClock(DateTimeOffset start) => _ticks = start.UtcTicks;

    /// <inheritdoc />
    public DateTimeOffset UtcNow => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>Moves the clock forward (or back, with a negative span); safe from any thread.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

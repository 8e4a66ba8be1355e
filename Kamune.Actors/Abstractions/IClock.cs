namespace Kamune;

/// <summary>Wall-clock time for metadata timestamps; injectable so tests are reproducible.</summary>
public interface IClock
{
    /// <summary>The current time in UTC, as stamped into a message's metadata; never used to measure durations.</summary>
    DateTimeOffset UtcNow { get; }
}

/// <summary>The operating system's wall clock (<see cref="DateTimeOffset.UtcNow"/>): the clock to use outside tests.</summary>
public sealed class SystemClock : IClock
{
    /// <summary>The one instance: the clock has no state, so every node shares it.</summary>
    public static readonly SystemClock Instance = new();

    private SystemClock()
    {
    }

    /// <inheritdoc/>
    public DateTimeOffset UtcNow => DateTimeOffset.UtcNow;
}

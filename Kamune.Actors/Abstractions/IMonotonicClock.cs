using System.Diagnostics;

namespace Kamune;

/// <summary>
/// Time that only moves forward, for measuring how long something took (idle and keep-alive accounting). Unlike
/// <see cref="IClock"/>, a wall-clock step (NTP, an operator setting the date) does not move it, so a step cannot
/// time out every session at once. Injectable so tests drive it with virtual time.
/// </summary>
public interface IMonotonicClock
{
    /// <summary>Time since an arbitrary fixed start; only differences mean anything.</summary>
    TimeSpan Elapsed { get; }
}

/// <summary>The process's monotonic clock (<see cref="Stopwatch"/>).</summary>
public sealed class SystemMonotonicClock : IMonotonicClock
{
    /// <summary>The one instance, started when the process first uses it; every node shares it.</summary>
    public static readonly SystemMonotonicClock Instance = new();

    private readonly long _start = Stopwatch.GetTimestamp();

    private SystemMonotonicClock()
    {
    }

    /// <summary>Time since <see cref="Instance"/> was created.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);
}

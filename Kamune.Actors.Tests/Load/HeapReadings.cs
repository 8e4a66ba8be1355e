namespace Kamune.Tests.Load;

/// <summary>Managed-heap readings for the load tests (full collections: live objects only).</summary>
internal static class HeapReadings
{
    /// <summary>
    /// Reads the heap until it is under <paramref name="limit"/> or <paramref name="within"/> has passed, and returns
    /// the last reading. Closed sessions stay reachable for a few seconds after they stop: a cancelled Akka timer stays
    /// in the scheduler's wheel until the wheel next passes its slot (at most one turn, 512 ticks of 10 ms) and holds
    /// the stopped actor it was for. That is bounded by time, not by how many sessions a node has had, so the bounds
    /// are checked once that window has passed rather than the instant the last session closed.
    /// </summary>
    public static async Task<long> AwaitBelowAsync(long limit, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var reading = GC.GetTotalMemory(forceFullCollection: true);
        while (reading >= limit && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            reading = GC.GetTotalMemory(forceFullCollection: true);
        }

        return reading;
    }
}

namespace Kamune.Node.Bench;

/// <summary>
/// When the bench's warm-up may end: after <c>minimum</c>, once the JIT spent under <see cref="QuietShare"/> of the
/// last <see cref="Window"/> compiling; at the latest after ten times <c>minimum</c>, and not with a round that the
/// last one's length says would end past that limit. Tiered compilation promotes hot methods in waves a second or
/// more apart, so a shorter window or a count of methods ends it between two waves.
/// </summary>
internal sealed class WarmUpGauge(TimeSpan minimum)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    public const double QuietShare = 0.01;

    private readonly Queue<(TimeSpan At, TimeSpan Compiling)> _samples = new();

    /// <summary>Whether the last <see cref="IsDone"/> found the JIT quiet; once it returned true, false means the time limit ended it.</summary>
    public bool JitQuiet { get; private set; }

    /// <summary>
    /// Called after each round with the time since the warm-up began, the process's total JIT time so far
    /// (<c>JitInfo.GetCompilationTime()</c>) and how long that round took: true once the warm-up may end.
    /// </summary>
    public bool IsDone(TimeSpan at, TimeSpan compiling, TimeSpan round)
    {
        _samples.Enqueue((at, compiling));
        // Keep the newest sample at least a window old as the window's start.
        while (_samples.Count > 1 && at - _samples.ElementAt(1).At >= Window)
        {
            _samples.Dequeue();
        }

        var (start, compilingAtStart) = _samples.Peek();
        JitQuiet = at - start >= Window && (compiling - compilingAtStart) < (at - start) * QuietShare;
        // The limit ends the warm-up before a round that would cross it, so it is not overrun by a whole round
        // (only by as much as the next round would have been slower than this one).
        return at >= minimum && (JitQuiet || at + round > minimum * 10);
    }
}

using System.Net;

namespace Kamune.Actors.Runtime;

/// <summary>
/// When a refusal by the per-address accept rate limit is worth a warning: the first one from an address, then at
/// most one per <see cref="Interval"/> from it, carrying how many were refused since. A source just above the rate
/// (a connection admitted now and then between refusals) warns once per interval, not once per admitted connection,
/// so the log cannot be made to grow at the source's pace.
/// </summary>
internal sealed class RefusalWarnings(IMonotonicClock clock, TimeSpan interval, int maxAddresses = 4096)
{
    private readonly Dictionary<IPAddress, (TimeSpan WarnedAt, long Since)> _warned = new();

    public TimeSpan Interval => interval;

    /// <summary>A refusal from <paramref name="address"/>: the refusals to report (this one included) if it is time to warn, else null.</summary>
    public long? Refused(IPAddress address)
    {
        var now = clock.Elapsed;
        if (_warned.TryGetValue(address, out var last))
        {
            if (now - last.WarnedAt < interval)
            {
                _warned[address] = (last.WarnedAt, last.Since + 1);
                return null;
            }

            _warned[address] = (now, 0);
            return last.Since + 1;
        }

        if (_warned.Count >= maxAddresses)
        {
            // Many addresses at once: forgetting them costs at most one more warning each.
            _warned.Clear();
        }

        _warned[address] = (now, 0);
        return 1;
    }
}

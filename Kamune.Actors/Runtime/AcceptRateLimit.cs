using System.Net;

namespace Kamune.Actors.Runtime;

/// <summary>
/// kamune.accept-rate-per-address: a token bucket per remote IP address, taken from at accept, before the
/// connection costs anything. Each accepted connection makes the responder do an X-Wing encapsulation and a key
/// generation for a first frame the sender may have precomputed once (docs/security.md); the handshake cap bounds
/// how many run at once, this bounds how often one address can ask. A bucket holds at most <c>burst</c> tokens and
/// refills at <c>rate</c> per second, so an honest burst (a client opening its sessions at once) passes whole.
/// Plain rules over an injected <see cref="IMonotonicClock"/>, no actor types: a wall-clock step (NTP, an operator
/// setting the date) can neither refill every bucket at once nor hold them empty. The table holds at most <c>maxTracked</c>
/// addresses: buckets that have refilled to full are the same as absent ones and are dropped first; if that is not
/// enough (more busy addresses than that), an untracked address is let through rather than refused, since the
/// handshake cap still bounds what it can cost.
/// </summary>
internal sealed class AcceptRateLimit
{
    // Sub-token rounding of the refill (a token is worth 1/rate seconds of double arithmetic) never refuses.
    private const double Tolerance = 1e-9;

    private readonly double _rate;
    private readonly double _burst;
    private readonly IMonotonicClock _clock;
    private readonly int _maxTracked;
    private readonly Dictionary<IPAddress, Bucket> _buckets = new();

    /// <param name="ratePerSecond">Tokens added per second; 0 turns the limit off.</param>
    /// <param name="burst">Most tokens a bucket holds (and a new address starts with).</param>
    /// <param name="clock">Measures the refill; a test's manual clock drives it in virtual time.</param>
    /// <param name="maxTracked">Most addresses with a bucket at once; beyond it an untracked address is let through.</param>
    public AcceptRateLimit(double ratePerSecond, int burst, IMonotonicClock clock, int maxTracked = 4096)
    {
        if (ratePerSecond < 0 || double.IsNaN(ratePerSecond) || burst < 1 || maxTracked < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond),
                $"expected rate >= 0, burst >= 1 and maxTracked >= 1, got {ratePerSecond}, {burst} and {maxTracked}");
        }

        _rate = ratePerSecond;
        _burst = burst;
        _clock = clock;
        _maxTracked = maxTracked;
    }

    /// <summary>Addresses whose bucket is not full (for tests and diagnostics).</summary>
    public int Tracked => _buckets.Count;

    /// <summary>Takes a token for one connection from <paramref name="address"/>; false when its bucket is empty.</summary>
    public bool TryAccept(IPAddress address)
    {
        if (_rate == 0)
        {
            return true;
        }

        var now = _clock.Elapsed;
        if (_buckets.TryGetValue(address, out var bucket))
        {
            var tokens = Refilled(bucket, now);
            if (tokens < 1 - Tolerance)
            {
                // Left as it was: the refill keeps counting from the last taken token, free of rounding steps.
                return false;
            }

            _buckets[address] = new Bucket(Math.Max(0, tokens - 1), now);
            return true;
        }

        if (_buckets.Count >= _maxTracked && !DropFullBuckets(now))
        {
            return true;
        }

        _buckets[address] = new Bucket(_burst - 1, now);
        return true;
    }

    // Within 0..burst always.
    private double Refilled(Bucket bucket, TimeSpan now)
    {
        var elapsed = Math.Max(0, (now - bucket.At).TotalSeconds);
        return Math.Min(_burst, bucket.Tokens + elapsed * _rate);
    }

    private bool DropFullBuckets(TimeSpan now)
    {
        foreach (var (address, bucket) in _buckets)
        {
            if (Refilled(bucket, now) >= _burst)
            {
                _buckets.Remove(address);
            }
        }

        return _buckets.Count < _maxTracked;
    }

    private readonly record struct Bucket(double Tokens, TimeSpan At);
}

using System.Net;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// kamune.accept-rate-per-address: a token bucket per address, on a monotonic clock the test moves.
public sealed class AcceptRateLimitTests
{
    private static readonly IPAddress Flooder = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress Honest = IPAddress.Parse("10.0.0.2");

    private readonly ManualMonotonicClock _clock = new();

    [Fact]
    public void A_burst_up_to_the_bucket_passes_whole_and_the_next_connection_is_refused()
    {
        var limit = new AcceptRateLimit(10, 5, _clock);

        Assert.All(Enumerable.Range(0, 5), _ => Assert.True(limit.TryAccept(Flooder)));
        Assert.False(limit.TryAccept(Flooder));
    }

    [Fact]
    public void The_bucket_refills_at_the_rate_and_never_beyond_the_burst()
    {
        var limit = new AcceptRateLimit(10, 5, _clock);
        Drain(limit, Flooder);

        _clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(limit.TryAccept(Flooder));
        Assert.True(limit.TryAccept(Flooder));
        Assert.False(limit.TryAccept(Flooder));

        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(5, Enumerable.Range(0, 10).Count(_ => limit.TryAccept(Flooder)));
    }

    [Fact]
    public void One_address_running_dry_does_not_touch_another()
    {
        var limit = new AcceptRateLimit(1, 3, _clock);
        Drain(limit, Flooder);

        Assert.True(limit.TryAccept(Honest));
    }

    [Fact]
    public void Refused_attempts_do_not_push_the_refill_further_away()
    {
        var limit = new AcceptRateLimit(10, 1, _clock);
        Drain(limit, Flooder);
        for (var i = 0; i < 9; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(10));
            Assert.False(limit.TryAccept(Flooder));
        }

        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.True(limit.TryAccept(Flooder));
    }

    [Fact]
    public void Rate_zero_is_off()
    {
        var limit = new AcceptRateLimit(0, 1, _clock);

        Assert.All(Enumerable.Range(0, 1_000), _ => Assert.True(limit.TryAccept(Flooder)));
        Assert.Equal(0, limit.Tracked);
    }

    [Fact]
    public void The_table_stays_bounded_dropping_refilled_buckets_and_lets_untracked_addresses_through()
    {
        var limit = new AcceptRateLimit(1, 2, _clock, maxTracked: 3);
        for (var i = 1; i <= 3; i++)
        {
            Drain(limit, IPAddress.Parse($"10.1.0.{i}"));
        }

        // Full of busy addresses: a fourth passes untracked rather than being refused.
        Assert.True(limit.TryAccept(IPAddress.Parse("10.1.0.4")));
        Assert.Equal(3, limit.Tracked);

        // Once they have refilled they are dropped and a new address is tracked (and limited) again.
        _clock.Advance(TimeSpan.FromSeconds(5));
        var late = IPAddress.Parse("10.1.0.5");
        Drain(limit, late);
        Assert.Equal(1, limit.Tracked);
        Assert.False(limit.TryAccept(late));
    }

    [Fact]
    public void The_test_clock_refuses_to_go_back_as_a_monotonic_clock_never_does()
    {
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Throws<ArgumentOutOfRangeException>(() => _clock.Advance(TimeSpan.FromSeconds(-1)));
        Assert.Equal(TimeSpan.FromSeconds(1), _clock.Elapsed);
    }

    private static void Drain(AcceptRateLimit limit, IPAddress address)
    {
        while (limit.TryAccept(address))
        {
        }
    }
}

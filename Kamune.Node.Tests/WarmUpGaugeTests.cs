using Kamune.Node.Bench;

namespace Kamune.Node.Tests;

public sealed class WarmUpGaugeTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    [Fact]
    public void A_quiet_JIT_does_not_end_the_warm_up_before_its_minimum()
    {
        var gauge = new WarmUpGauge(S(5));
        for (var t = 0.5; t < 5; t += 0.5)
        {
            Assert.False(gauge.IsDone(S(t), Ms(100), S(0.5)), $"done at {t} s, before the 5 s minimum");
        }

        Assert.True(gauge.IsDone(S(5), Ms(100), S(0.5)));
        Assert.True(gauge.JitQuiet);
    }

    [Fact]
    public void The_warm_up_goes_on_while_the_JIT_spent_a_percent_or_more_of_the_last_two_seconds_compiling()
    {
        var gauge = new WarmUpGauge(S(1));
        // 20 ms of compiling per 0.5 s round: 4 % of the time.
        var compiling = 0.0;
        for (var t = 0.5; t <= 4; t += 0.5)
        {
            compiling += 20;
            Assert.False(gauge.IsDone(S(t), Ms(compiling), S(0.5)), $"done at {t} s while compiling 4 % of the time");
        }

        // From here 4 ms per round (0.8 %): quiet once a whole window of such rounds has passed.
        Assert.False(gauge.IsDone(S(4.5), Ms(compiling += 4), S(0.5)));
        Assert.False(gauge.IsDone(S(5.0), Ms(compiling += 4), S(0.5)));
        Assert.False(gauge.IsDone(S(5.5), Ms(compiling += 4), S(0.5)));
        Assert.True(gauge.IsDone(S(6.0), Ms(compiling += 4), S(0.5)));
        Assert.True(gauge.JitQuiet);
    }

    [Fact]
    public void A_wave_of_compiling_after_a_quiet_second_keeps_the_warm_up_going()
    {
        // Tiered compilation promotes methods in waves: one quiet second is not the end of it.
        var gauge = new WarmUpGauge(S(1));
        Assert.False(gauge.IsDone(S(0.5), Ms(400), S(0.5)));
        Assert.False(gauge.IsDone(S(2.5), Ms(500), S(2)));
        Assert.False(gauge.IsDone(S(3.5), Ms(501), S(1)), "one quiet second ended the warm-up");
        Assert.False(gauge.IsDone(S(4.0), Ms(560), S(0.5)));
        Assert.False(gauge.IsDone(S(5.0), Ms(561), S(1)), "ended with a wave of compiling inside the last two seconds");
        Assert.True(gauge.IsDone(S(6.0), Ms(562), S(1)));
        Assert.True(gauge.JitQuiet);
    }

    [Fact]
    public void A_JIT_that_never_goes_quiet_ends_the_warm_up_at_ten_times_its_minimum()
    {
        var gauge = new WarmUpGauge(S(0.5));
        var compiling = 0.0;
        for (var t = 0.25; t < 5; t += 0.25)
        {
            Assert.False(gauge.IsDone(S(t), Ms(compiling += 50), S(0.25)), $"done at {t} s");
        }

        Assert.True(gauge.IsDone(S(5), Ms(compiling + 50), S(0.25)));
        Assert.False(gauge.JitQuiet);
    }

    [Fact]
    public void Rounds_shorter_than_the_window_are_judged_over_the_whole_window()
    {
        // Many short rounds: no window exists until 2 s have passed, however little was compiled.
        var gauge = new WarmUpGauge(S(0.3));
        for (var t = 0.1; t < 1.95; t += 0.1)
        {
            Assert.False(gauge.IsDone(S(t), TimeSpan.Zero, S(0.1)), $"done at {t} s, before a whole window");
        }

        Assert.True(gauge.IsDone(S(2.1), TimeSpan.Zero, S(0.1)));
    }

    [Fact]
    public void The_limit_ends_the_warm_up_before_a_round_that_would_cross_it()
    {
        // 0.5 s minimum, so a 5 s limit; the JIT never quiet; rounds of 0.7 s. The round after the one ending at
        // 4.9 s would end at 5.6 s, past the limit: the warm-up ends at 4.9 s instead of overrunning to 5.6 s.
        var gauge = new WarmUpGauge(S(0.5));
        var compiling = 0.0;
        for (var t = 0.7; t < 4.85; t += 0.7)
        {
            Assert.False(gauge.IsDone(S(t), Ms(compiling += 100), S(0.7)), $"done at {t} s");
        }

        Assert.True(gauge.IsDone(S(4.9), Ms(compiling + 100), S(0.7)));
        Assert.False(gauge.JitQuiet);
    }
}

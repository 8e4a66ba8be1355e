using Kamune.Node.Trust;

namespace Kamune.Node.Tests;

// The per-address cap on new keys (issue 16 item 2), on a monotonic clock the test moves: no wall clock in it.
public sealed class PinBudgetTests
{
    private readonly ManualMonotonicClock _clock = new();

    [Fact]
    public void Each_address_gets_its_keys_per_window_and_a_key_frees_its_place_one_window_after_it_was_taken()
    {
        var budget = new PinBudget(2, TimeSpan.FromHours(1), _clock);
        Assert.True(budget.TryTake("10.0.0.1"));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.True(budget.TryTake("10.0.0.1"));
        Assert.False(budget.TryTake("10.0.0.1"));
        Assert.True(budget.TryTake("10.0.0.2"));

        _clock.Advance(TimeSpan.FromMinutes(50) - TimeSpan.FromTicks(1));
        Assert.False(budget.TryTake("10.0.0.1"));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(budget.TryTake("10.0.0.1"));
        Assert.False(budget.TryTake("10.0.0.1"));
    }

    [Fact]
    public void A_full_table_forgets_the_address_idle_longest_and_keeps_the_others_capped()
    {
        var budget = new PinBudget(1, TimeSpan.FromHours(1), _clock);
        Assert.True(budget.TryTake("oldest"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        for (var i = 1; i < PinBudget.MaxAddresses; i++)
        {
            Assert.True(budget.TryTake($"10.1.{i / 256}.{i % 256}"));
        }

        Assert.True(budget.TryTake("newcomer"));

        Assert.False(budget.TryTake($"10.1.{(PinBudget.MaxAddresses - 1) / 256}.{(PinBudget.MaxAddresses - 1) % 256}"));
        Assert.True(budget.TryTake("oldest"));
    }
}

using System.Net;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// How often the listener warns about refusals by the accept rate limit: once per address and interval, whatever
// the refused source does in between (issue 15's hostile load must not set the log's pace).
public sealed class RefusalWarningsTests
{
    private static readonly IPAddress Flooder = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress Other = IPAddress.Parse("10.0.0.2");
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly ManualMonotonicClock _clock = new();

    [Fact]
    public void The_first_refusal_warns_and_the_rest_within_the_interval_do_not()
    {
        var warnings = new RefusalWarnings(_clock, Minute);

        Assert.Equal(1, warnings.Refused(Flooder));
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Null(warnings.Refused(Flooder)));
    }

    [Fact]
    public void A_source_refused_again_and_again_across_admissions_warns_once_per_interval_with_the_count_since()
    {
        var warnings = new RefusalWarnings(_clock, Minute);
        Assert.Equal(1, warnings.Refused(Flooder));

        // Just above the rate: one refusal every 10 ms for 59.99 s (connections admitted in between do not reset it).
        var heard = new List<long>();
        for (var i = 0; i < 5999; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(10));
            if (warnings.Refused(Flooder) is { } count)
            {
                heard.Add(count);
            }
        }

        Assert.Empty(heard);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(6000, warnings.Refused(Flooder));
    }

    [Fact]
    public void Each_address_has_its_own_interval()
    {
        var warnings = new RefusalWarnings(_clock, Minute);

        Assert.Equal(1, warnings.Refused(Flooder));
        Assert.Equal(1, warnings.Refused(Other));
        Assert.Null(warnings.Refused(Flooder));
        Assert.Null(warnings.Refused(Other));
    }

    [Fact]
    public void The_table_stays_bounded_and_a_forgotten_address_warns_again()
    {
        var warnings = new RefusalWarnings(_clock, Minute, maxAddresses: 2);
        Assert.Equal(1, warnings.Refused(Flooder));
        Assert.Equal(1, warnings.Refused(Other));

        Assert.Equal(1, warnings.Refused(IPAddress.Parse("10.0.0.3")));

        Assert.Equal(1, warnings.Refused(Flooder));
    }
}

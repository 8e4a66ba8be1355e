using Akka.Actor;
using Akka.Configuration;

namespace Kamune.Tests.Actors;

/// <summary>
/// Issue 18 item 10 and issue 17 item 2: keep-alive pings idle sessions only, idle time is monotonic and may be off,
/// and a handler that forgets DeliveryAck is named in a warning instead of stalling its session silently.
/// </summary>
public sealed class KeepAliveAndDeliveryTests : PeerTestKit
{
    [Fact]
    public void Keep_alive_does_not_ping_a_session_busy_both_ways_and_pings_it_once_it_falls_quiet()
    {
        var (pair, _, _) = PeerPair.Established(this, Options with { KeepAliveInterval = TimeSpan.FromSeconds(10) });
        using (pair)
        {
            // Traffic both ways at second 6: at the tick at second 10 the initiator read and wrote 4 s ago.
            Scheduler.Advance(TimeSpan.FromSeconds(6));
            pair.Initiator.Tell(new SendMessage("out"u8.ToArray()), TestActor);
            Assert.Equal(3UL, ExpectMsg<SendAck>().Sequence);
            pair.Responder.Tell(new SendMessage("in"u8.ToArray()), TestActor);
            ExpectMsg<SendAck>();
            pair.InitiatorHandler.ExpectMsg<MessageReceived>();
            pair.ResponderHandler.ExpectMsg<MessageReceived>();

            Scheduler.Advance(TimeSpan.FromSeconds(4));
            // No PING took a sequence number: the next message is 4.
            pair.Initiator.Tell(new SendMessage("busy"u8.ToArray()), TestActor);
            Assert.Equal(4UL, ExpectMsg<SendAck>().Sequence);
            pair.ResponderHandler.ExpectMsg<MessageReceived>();

            // Nothing read since second 6: the tick at second 20 pings (sequence 5), the next message is 6.
            Scheduler.Advance(TimeSpan.FromSeconds(10));
            pair.Initiator.Tell(new SendMessage("quiet"u8.ToArray()), TestActor);
            Assert.Equal(6UL, ExpectMsg<SendAck>().Sequence);
        }
    }

    [Fact]
    public void Idle_time_is_measured_on_the_monotonic_clock_not_on_the_scheduler_or_the_wall_clock()
    {
        // A monotonic clock that does not move (a ManualMonotonicClock never advanced): the idle timer fires on the scheduler but finds no time has passed,
        // so it waits again instead of ending the session (a wall-clock step is just such a scheduler jump).
        var (pair, _, _) = PeerPair.Established(this, Options with { IdleTimeout = TimeSpan.FromMinutes(5), Monotonic = new ManualMonotonicClock() });
        using (pair)
        {
            Scheduler.Advance(TimeSpan.FromMinutes(30));
            pair.InitiatorHandler.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
            pair.Initiator.Tell(new SendMessage("alive"u8.ToArray()), TestActor);
            Assert.Equal(3UL, ExpectMsg<SendAck>().Sequence);
        }
    }

    [Fact]
    public void A_handler_behind_on_DeliveryAck_for_ten_seconds_is_named_in_a_warning_and_catches_up_when_it_answers()
    {
        var (pair, _, _) = PeerPair.Established(this, Options with { DeliveryWindow = 1 });
        using (pair)
        {
            pair.Initiator.Tell(new SendMessage("first"u8.ToArray()), TestActor);
            pair.Initiator.Tell(new SendMessage("second"u8.ToArray()), TestActor);
            var first = pair.ResponderHandler.ExpectMsg<MessageReceived>();
            pair.ResponderHandler.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

            EventFilter.Warning(contains: "DeliveryAck").ExpectOne(() => Scheduler.Advance(TimeSpan.FromSeconds(10)));

            first.Session.Tell(DeliveryAck.Instance);
            Assert.Equal(4UL, pair.ResponderHandler.ExpectMsg<MessageReceived>().Sequence);
        }
    }

    [Theory]
    [InlineData("off")]
    [InlineData("0")]
    [InlineData("0s")]
    public void The_idle_timeout_can_be_switched_off_from_config(string value)
    {
        var settings = KamuneSettings.Create(ConfigurationFactory.ParseString($"kamune.idle-timeout = {value}"));
        Assert.Equal(TimeSpan.Zero, settings.IdleTimeout);
    }

    [Fact]
    public void The_reference_config_bounds_what_a_handler_may_leave_unanswered()
    {
        var settings = KamuneSettings.Create((Config?)null);
        Assert.Equal(256, settings.DeliveryWindow);
        Assert.Equal(TimeSpan.FromMinutes(5), settings.IdleTimeout);
    }

    [Fact]
    public void The_system_monotonic_clock_never_goes_back()
    {
        var first = SystemMonotonicClock.Instance.Elapsed;
        var second = SystemMonotonicClock.Instance.Elapsed;
        Assert.True(second >= first, $"expected {second} >= {first}");
    }
}

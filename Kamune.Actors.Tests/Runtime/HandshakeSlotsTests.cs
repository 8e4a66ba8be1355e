using System.Net;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// The SYN-cache-like rule behind kamune.max-concurrent-handshakes, without an ActorSystem.
public sealed class HandshakeSlotsTests
{
    private static readonly IPAddress Flooder = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress Other = IPAddress.Parse("10.0.0.2");
    private static readonly IPAddress Honest = IPAddress.Parse("10.0.0.3");

    [Fact]
    public void Below_capacity_every_connection_is_admitted_and_nothing_is_evicted()
    {
        var slots = new HandshakeSlots<int>(3);

        Assert.Null(slots.Admit(1, Flooder));
        Assert.Null(slots.Admit(2, Flooder));
        Assert.Null(slots.Admit(3, Other));
        Assert.Equal(3, slots.Count);
    }

    [Fact]
    public void When_full_the_oldest_connection_of_the_address_holding_the_most_slots_is_evicted()
    {
        var slots = new HandshakeSlots<int>(4);
        slots.Admit(1, Other);
        slots.Admit(2, Flooder);
        slots.Admit(3, Flooder);
        slots.Admit(4, Flooder);

        var evicted = slots.Admit(5, Honest);

        // Other's connection 1 is older, but the flooder holds three slots.
        Assert.Equal(new HandshakeSlots<int>.Eviction(2, Flooder, 3), evicted);
        Assert.False(slots.Holds(2));
        Assert.True(slots.Holds(1) && slots.Holds(5));
        Assert.Equal(4, slots.Count);
    }

    [Fact]
    public void A_flooder_that_keeps_reopening_only_ever_evicts_its_own_connections()
    {
        var slots = new HandshakeSlots<int>(8);
        slots.Admit(0, Honest);
        for (var i = 1; i < 1_000; i++)
        {
            var evicted = slots.Admit(i, Flooder);
            if (evicted is not null)
            {
                Assert.Equal(Flooder, evicted.Address);
            }
        }

        Assert.True(slots.Holds(0));
        Assert.Equal(8, slots.Count);
    }

    [Fact]
    public void The_newcomers_own_address_counts_so_a_heavy_address_replaces_its_own_oldest()
    {
        var slots = new HandshakeSlots<int>(3);
        slots.Admit(1, Other);
        slots.Admit(2, Flooder);
        slots.Admit(3, Honest);

        // Every address holds one; the flooder's newcomer makes it two, so its own connection goes.
        Assert.Equal(new HandshakeSlots<int>.Eviction(2, Flooder, 2), slots.Admit(4, Flooder));
    }

    [Fact]
    public void With_one_slot_per_address_the_oldest_connection_makes_room()
    {
        var slots = new HandshakeSlots<int>(2);
        slots.Admit(1, Other);
        slots.Admit(2, Flooder);

        Assert.Equal(1, slots.Admit(3, Honest)!.Connection);
    }

    [Fact]
    public void A_released_slot_is_free_at_once_and_releasing_twice_is_harmless()
    {
        var slots = new HandshakeSlots<int>(2);
        slots.Admit(1, Flooder);
        slots.Admit(2, Flooder);

        Assert.True(slots.Release(1));
        Assert.False(slots.Release(1));
        Assert.Null(slots.Admit(3, Other));
        Assert.Equal(2, slots.Count);
    }

    [Fact]
    public void Capacity_zero_tracks_connections_without_ever_evicting()
    {
        var slots = new HandshakeSlots<int>(0);
        for (var i = 0; i < 500; i++)
        {
            Assert.Null(slots.Admit(i, Flooder));
        }

        Assert.Equal(500, slots.Count);
    }

    [Fact]
    public void Admitting_the_same_connection_twice_is_a_programming_error()
    {
        var slots = new HandshakeSlots<int>(2);
        slots.Admit(1, Flooder);

        Assert.Throws<InvalidOperationException>(() => slots.Admit(1, Flooder));
    }
}

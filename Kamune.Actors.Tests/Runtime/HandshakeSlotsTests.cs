using System.Net;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// The fair-share rule behind kamune.max-concurrent-handshakes, without an ActorSystem.
public sealed class HandshakeSlotsTests
{
    private static readonly IPAddress Flooder = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress Other = IPAddress.Parse("10.0.0.2");
    private static readonly IPAddress Honest = IPAddress.Parse("10.0.0.3");

    private int _next;

    [Fact]
    public void Below_capacity_every_connection_is_admitted()
    {
        var slots = new HandshakeSlots<int>(3);

        Assert.All(new[] { Flooder, Flooder, Other }, a => Assert.IsType<HandshakeSlots<int>.Admission.Admitted>(Admit(slots, a)));
        Assert.Equal(3, slots.Count);
    }

    [Fact]
    public void When_full_a_newcomer_from_a_lighter_address_evicts_the_oldest_of_the_heaviest()
    {
        var slots = new HandshakeSlots<int>(4);
        Admit(slots, Other);
        Admit(slots, Flooder);
        Admit(slots, Flooder);
        Admit(slots, Flooder);

        var verdict = Admit(slots, Honest);

        // Other's connection 0 is older, but the flooder holds three slots: its oldest, 1, goes.
        Assert.Equal(new HandshakeSlots<int>.Admission.Eviction(1, Flooder, 3), verdict);
        Assert.False(slots.Holds(1));
        Assert.True(slots.Holds(0) && slots.Holds(4));
        Assert.Equal(4, slots.Count);
    }

    [Fact]
    public void When_full_a_newcomer_whose_address_would_hold_the_most_is_refused_and_never_made()
    {
        var slots = new HandshakeSlots<int>(3);
        Admit(slots, Flooder);
        Admit(slots, Flooder);
        Admit(slots, Other);

        var verdict = slots.Admit(Flooder, () => throw new InvalidOperationException("a refused connection is never made"));

        Assert.Equal(new HandshakeSlots<int>.Admission.Refused(Flooder, 3), verdict);
        Assert.Equal(3, slots.Count);
    }

    [Fact]
    public void A_tie_with_the_heaviest_is_refused_so_equal_flooders_do_not_keep_evicting_each_other()
    {
        var slots = new HandshakeSlots<int>(4);
        Admit(slots, Flooder);
        Admit(slots, Flooder);
        Admit(slots, Other);
        Admit(slots, Other);

        Assert.IsType<HandshakeSlots<int>.Admission.Refused>(Admit(slots, Flooder));
        Assert.IsType<HandshakeSlots<int>.Admission.Refused>(Admit(slots, Other));
    }

    [Fact]
    public void With_one_slot_per_address_the_oldest_connection_makes_room_for_a_new_address()
    {
        var slots = new HandshakeSlots<int>(2);
        Admit(slots, Other);
        Admit(slots, Flooder);

        Assert.Equal(new HandshakeSlots<int>.Admission.Eviction(0, Other, 1), Admit(slots, Honest));
    }

    [Fact]
    public void A_flooder_that_keeps_reopening_never_costs_a_peer_from_another_address_its_slot()
    {
        var slots = new HandshakeSlots<int>(8);
        var honest = _next;
        Admit(slots, Honest);
        for (var i = 0; i < 1_000; i++)
        {
            if (Admit(slots, Flooder) is HandshakeSlots<int>.Admission.Eviction evicted)
            {
                Assert.Equal(Flooder, evicted.Address);
            }
        }

        Assert.True(slots.Holds(honest));
        Assert.Equal(8, slots.Count);
    }

    [Fact]
    public void A_released_slot_is_free_at_once_and_releasing_twice_is_harmless()
    {
        var slots = new HandshakeSlots<int>(2);
        Admit(slots, Flooder);
        Admit(slots, Flooder);

        Assert.True(slots.Release(0));
        Assert.False(slots.Release(0));
        Assert.IsType<HandshakeSlots<int>.Admission.Admitted>(Admit(slots, Flooder));
        Assert.Equal(2, slots.Count);
    }

    [Fact]
    public void Capacity_zero_tracks_connections_without_ever_refusing_or_evicting()
    {
        var slots = new HandshakeSlots<int>(0);
        for (var i = 0; i < 500; i++)
        {
            Assert.IsType<HandshakeSlots<int>.Admission.Admitted>(Admit(slots, Flooder));
        }

        Assert.Equal(500, slots.Count);
    }

    [Fact]
    public void Admitting_the_same_connection_twice_is_a_programming_error()
    {
        var slots = new HandshakeSlots<int>(2);
        slots.Admit(Flooder, () => 7);

        Assert.Throws<InvalidOperationException>(() => slots.Admit(Flooder, () => 7));
    }

    private HandshakeSlots<int>.Admission Admit(HandshakeSlots<int> slots, IPAddress address)
    {
        var id = _next++;
        return slots.Admit(address, () => id);
    }
}

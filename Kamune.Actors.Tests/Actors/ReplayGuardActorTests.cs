using Akka.Actor;
using Kamune.Actors.Runtime;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Tests.Actors;

public sealed class ReplayGuardActorTests : PeerTestKit
{
    private static InboundMessage Message(ulong sequence) =>
        new(Route.ExchangeMessages, sequence, DateTimeOffset.UnixEpoch, ReadOnlyMemory<byte>.Empty);

    // One message per check, its ticket the sequence's place in frame order (tickets count from 0, sequences from 1).
    private static CheckSequences InOrder(ulong sequence) => Part((long)sequence - 1, sequence);

    private static CheckSequences Part(long ticket, params ulong[] sequences) =>
        new(ticket, sequences.Select(Message).ToArray(), null);

    [Fact]
    public void Accepts_consecutive_sequence_numbers_from_one()
    {
        var guard = Sys.ActorOf(ReplayGuardActor.Props());
        foreach (var sequence in new ulong[] { 1, 2, 3 })
        {
            guard.Tell(InOrder(sequence));
            Assert.Equal(sequence, Assert.Single(ExpectMsg<SequencesAccepted>().Messages).Sequence);
        }
    }

    [Fact]
    public void Reports_a_duplicate_and_then_accepts_nothing_more()
    {
        var guard = Sys.ActorOf(ReplayGuardActor.Props());
        guard.Tell(InOrder(1));
        ExpectMsg<SequencesAccepted>();
        guard.Tell(Part(1, 1));
        Assert.Equal(new OutOfSync(2, 1), ExpectMsg<OutOfSync>());
        guard.Tell(Part(2, 2));
        Assert.Equal(new OutOfSync(2, 2), ExpectMsg<OutOfSync>());
    }

    [Fact]
    public void Reports_a_gap()
    {
        var guard = Sys.ActorOf(ReplayGuardActor.Props());
        guard.Tell(Part(0, 2));
        Assert.Equal(new OutOfSync(1, 2), ExpectMsg<OutOfSync>());
    }

    [Fact]
    public void Judges_parts_that_arrive_out_of_ticket_order_in_ticket_order()
    {
        // A burst verified in parallel: its second and third parts come back before its first.
        var guard = Sys.ActorOf(ReplayGuardActor.Props());
        guard.Tell(Part(2, 6, 7));
        guard.Tell(Part(1, 3, 4, 5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        guard.Tell(Part(0, 1, 2));
        Assert.Equal([1UL, 2], ExpectMsg<SequencesAccepted>().Messages.Select(m => m.Sequence));
        Assert.Equal([3UL, 4, 5], ExpectMsg<SequencesAccepted>().Messages.Select(m => m.Sequence));
        Assert.Equal([6UL, 7], ExpectMsg<SequencesAccepted>().Messages.Select(m => m.Sequence));
        guard.Tell(Part(3, 8));
        Assert.Equal(8UL, Assert.Single(ExpectMsg<SequencesAccepted>().Messages).Sequence);
    }

    [Fact]
    public void Judges_nothing_after_a_failed_open_even_parts_already_verified()
    {
        // Part 0 ends on a frame whose signature failed; part 1 (later frames, verified first) must not be delivered.
        var guard = Sys.ActorOf(ReplayGuardActor.Props());
        var failure = new CipherFailed(KamuneError.InvalidSignature, "bad signature");
        guard.Tell(Part(1, 3, 4));
        guard.Tell(new CheckSequences(0, [Message(1)], failure));
        Assert.Equal(1UL, Assert.Single(ExpectMsg<SequencesAccepted>().Messages).Sequence);
        Assert.Equal(failure, ExpectMsg<CipherFailed>());
        guard.Tell(Part(2, 5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}

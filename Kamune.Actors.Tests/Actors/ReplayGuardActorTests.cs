using Akka.Actor;
using Kamune.Actors.Runtime;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Tests.Actors;

public sealed class ReplayGuardActorTests : PeerTestKit
{
    private static CheckSequences Check(ulong sequence) =>
        new([new InboundMessage(Route.ExchangeMessages, sequence, DateTimeOffset.UnixEpoch, ReadOnlyMemory<byte>.Empty)], null);

    [Fact]
    public void Accepts_consecutive_sequence_numbers_from_one()
    {
        var guard = Sys.ActorOf(ReplayGuardActor.Props());
        foreach (var sequence in new ulong[] { 1, 2, 3 })
        {
            guard.Tell(Check(sequence));
            Assert.Equal(sequence, Assert.Single(ExpectMsg<SequencesAccepted>().Messages).Sequence);
        }
    }

    [Fact]
    public void Reports_a_duplicate_and_then_accepts_nothing_more()
    {
        var guard = Sys.ActorOf(ReplayGuardActor.Props());
        guard.Tell(Check(1));
        ExpectMsg<SequencesAccepted>();
        guard.Tell(Check(1));
        Assert.Equal(new OutOfSync(2, 1), ExpectMsg<OutOfSync>());
        guard.Tell(Check(2));
        Assert.Equal(new OutOfSync(2, 2), ExpectMsg<OutOfSync>());
    }

    [Fact]
    public void Reports_a_gap()
    {
        var guard = Sys.ActorOf(ReplayGuardActor.Props());
        guard.Tell(Check(2));
        Assert.Equal(new OutOfSync(1, 2), ExpectMsg<OutOfSync>());
    }
}

using Akka.Actor;
using Akka.Event;
using Kamune.Actors.Runtime;
using Kamune.Protocol.Session;

namespace Kamune.Tests.Actors;

/// <summary>
/// Issue 18 item 3, the issue's own scenario: an established session stopped from outside (a PoisonPill, or its
/// parent stopped) while its sends wait for the cipher answers every accepted send exactly once, in order (3 sends,
/// 3 answers, none a dead letter), and tells its handler SessionClosed. The cipher is held (suspended) so the sends
/// are deterministically at the cipher, sealed by nobody, when the stop comes.
/// </summary>
public sealed class StoppedFromOutsideTests : PeerTestKit
{
    [Fact]
    public async Task Sends_waiting_for_the_cipher_are_each_answered_once_in_order_when_the_session_gets_a_PoisonPill()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            await SendsWaitingForTheCipher(pair.Initiator);
            var deadLetters = DeadLetters();

            pair.Initiator.Tell(PoisonPill.Instance);

            AssertEachAnsweredOnceInOrder(pair, deadLetters);
        }
    }

    [Fact]
    public async Task Sends_waiting_for_the_cipher_are_each_answered_once_in_order_when_the_sessions_parent_stops()
    {
        var (pair, _, _) = PeerPair.Established(this);
        using (pair)
        {
            await SendsWaitingForTheCipher(pair.Initiator);
            var deadLetters = DeadLetters();

            // The pair's sessions are children of its Parent probe.
            Sys.Stop(pair.Parent.Ref);

            AssertEachAnsweredOnceInOrder(pair, deadLetters);
        }
    }

    // Three sends accepted and handed to a cipher that takes nothing: no answer can come from it.
    private async Task SendsWaitingForTheCipher(IActorRef session)
    {
        var cipher = (IInternalActorRef)await Sys.ActorSelection(session.Path / "cipher").ResolveOne(TimeSpan.FromSeconds(10));
        cipher.Suspend();
        for (var i = 1; i <= 3; i++)
        {
            session.Tell(new SendMessage("waiting"u8.ToArray(), i), TestActor);
        }

        // The first send asked for its batch to be flushed (a marker to itself, behind what was in the mailbox then).
        // Two round trips through the mailbox, each an oversized send refused at once, put that marker behind us: the
        // batch of three is in the cipher's mailbox.
        var probe = CreateTestProbe();
        for (var i = 0; i < 2; i++)
        {
            session.Tell(new SendMessage(new byte[SessionTransport.MaxPayload + 1]), probe.Ref);
            Assert.Equal(SendRefusalKind.TooLarge, probe.ExpectMsg<SendRefused>().Kind);
        }

        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    private Akka.TestKit.TestProbe DeadLetters()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(AllDeadLetters));
        return deadLetters;
    }

    private void AssertEachAnsweredOnceInOrder(PeerPair pair, Akka.TestKit.TestProbe deadLetters)
    {
        var answers = ReceiveN(3).Cast<SendRefused>().ToList();
        Assert.Equal(new object?[] { 1, 2, 3 }, answers.Select(a => a.CorrelationId));
        Assert.All(answers, a => Assert.Equal(SendRefusalKind.Closed, a.Kind));
        Assert.Equal(CloseReason.LocalClose, pair.InitiatorHandler.ExpectMsg<SessionClosed>().Reason);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        // None of the sends, nor an answer to one, went to dead letters.
        var dead = deadLetters.ReceiveWhile(TimeSpan.FromMilliseconds(200), m => ((AllDeadLetters)m).Message);
        Assert.DoesNotContain(dead, m => m is SendMessage or SendAck or SendRefused);
    }
}

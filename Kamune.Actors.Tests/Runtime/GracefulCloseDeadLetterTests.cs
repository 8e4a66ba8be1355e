using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Kamune.Actors.Runtime;
using Kamune.Tests.Support;

namespace Kamune.Tests.Runtime;

// Issue 17 item 7: a graceful close is the happy path and logs no dead letter. The session stops right after it
// handed CLOSE_TRANSPORT and CloseConnection to its writer, so the writer's FrameWritten (and whatever the inbound
// side still had for it) reaches a stopped actor: expected, and never worth an INFO line.
public sealed class GracefulCloseDeadLetterTests : TwoNodeTestKit
{
    private static readonly Config NodeConfig = ConfigurationFactory.ParseString(
        "kamune { max-connections-per-address = 0 }").WithFallback(KamuneConfig.Default);

    public GracefulCloseDeadLetterTests()
        : base(NodeConfig, "closing-node", "closed-node", 0xC1, 0xD1)
    {
    }

    [Fact]
    public async Task A_graceful_close_leaves_no_logged_dead_letter_of_the_connection_contract_on_either_side()
    {
        var deadLetters = CreateTestProbe();
        Sys.EventStream.Subscribe(deadLetters.Ref, typeof(AllDeadLetters));
        SystemB.EventStream.Subscribe(deadLetters.Ref, typeof(AllDeadLetters));
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe();
        var atA = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, probeA.Ref);
        await NodeB.DialAsync("127.0.0.1", atA.Port, probeB.Ref);
        probeA.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));
        var session = probeB.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20)).Session;
        var writers = Writers(Sys).Concat(Writers(SystemB)).ToList();
        Assert.Equal(2, writers.Count);
        writers.ForEach(writer => Watch(writer));

        session.Tell(new SendMessage(new byte[1000]), probeB.Ref);
        probeB.ExpectMsg<SendAck>(TimeSpan.FromSeconds(10));
        probeA.ExpectMsg<MessageReceived>(TimeSpan.FromSeconds(10));
        session.Tell(CloseSession.Instance);

        Assert.Equal(CloseReason.LocalClose, probeB.ExpectMsg<SessionClosed>(TimeSpan.FromSeconds(10)).Reason);
        Assert.Equal(CloseReason.PeerClosed, probeA.ExpectMsg<SessionClosed>(TimeSpan.FromSeconds(10)).Reason);
        // Both connections are gone: every message of the close has been sent by now.
        var stopped = ReceiveN(2, TimeSpan.FromSeconds(10)).Cast<Terminated>().Select(t => t.ActorRef);
        Assert.Equal(writers.ToHashSet(), stopped.ToHashSet());

        // The event stream delivers asynchronously: a dead letter published before the writers stopped may still be
        // on its way to the probe, so give it a moment before concluding none came.
        var logged = new List<object>();
        while (deadLetters.ReceiveOne(TimeSpan.FromMilliseconds(500)) is AllDeadLetters dead)
        {
            if (dead is not SuppressedDeadLetter)
            {
                logged.Add(dead.Message);
            }
        }

        Assert.Empty(logged.Select(m => m.GetType().Name + ": " + m));
    }

    // The connection writers of a node (one per TCP connection, children of its manager under the kamune guardian).
    private static IEnumerable<IActorRef> Writers(ActorSystem system)
    {
        var found = system.ActorSelection("/system/kamune/manager/connection-*")
            .Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5));
        var identity = found.GetAwaiter().GetResult();
        return identity.Subject is { } writer ? [writer] : [];
    }
}

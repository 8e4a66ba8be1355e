using System.Net;
using Akka.Actor;

namespace Kamune.Tests.Load;

/// <summary>
/// Issue 4: one node holds hundreds of concurrent sessions, dialed and accepted at once, each independent. Node A
/// listens and dials 200 sessions to node B while B dials 200 to A; closing one leaves the other 399 untouched, and
/// messages then flow on all of them, exactly once and in order (<see cref="CheckingLoadHandler"/>).
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class DialedAndAcceptedSessionsTests : TwoNodeLoadTestKit
{
    private const int EachWay = 200;
    private const int Messages = 10;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public DialedAndAcceptedSessionsTests()
        : base("both", 0xA5, 0xB5)
    {
    }

    [Fact]
    public async Task A_node_holds_hundreds_of_dialed_and_accepted_sessions_at_once_and_closing_one_leaves_the_others_flowing()
    {
        var eventsA = CreateTestProbe();
        var eventsB = CreateTestProbe();
        var dials = CreateTestProbe();
        var done = CreateTestProbe();
        var handlerA = Sys.ActorOf(CheckingLoadHandler.Props(eventsA.Ref), "handler-a");
        var handlerB = SystemB.ActorOf(CheckingLoadHandler.Props(eventsB.Ref), "handler-b");
        var portA = ((IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, handlerA)).Port;
        var portB = ((IPEndPoint)await NodeB.ListenAsync("127.0.0.1", 0, handlerB)).Port;

        for (var i = 0; i < EachWay; i++)
        {
            NodeA.Manager.Tell(new DialPeer("127.0.0.1", portB, handlerA), dials.Ref);
            NodeB.Manager.Tell(new DialPeer("127.0.0.1", portA, handlerB), dials.Ref);
        }

        Assert.All(dials.ReceiveN(2 * EachWay, Patience), reply => Assert.IsType<DialConnected>(reply));
        var atA = eventsA.ReceiveN(2 * EachWay, Patience).Select(e => Assert.IsType<SessionEstablished>(e)).ToList();
        var atB = eventsB.ReceiveN(2 * EachWay, Patience).Select(e => Assert.IsType<SessionEstablished>(e)).ToList();
        Assert.Equal(EachWay, atA.Count(s => s.Role == SessionRole.Initiator));
        Assert.Equal(EachWay, atA.Count(s => s.Role == SessionRole.Responder));
        Assert.Equal(atA.Select(s => s.SessionId).Order(), atB.Select(s => s.SessionId).Order());
        foreach (var node in new[] { NodeA, NodeB })
        {
            var state = await ManagerStates.AwaitAsync(node, s => s.Sessions == 2 * EachWay && s.Handshaking == 0, Patience);
            Assert.Equal((1, 2 * EachWay), (state.Listeners, state.Connections));
        }

        // One of A's dialed sessions ends; its peer hears CLOSE_TRANSPORT and no other session notices.
        var victim = atA.First(s => s.Role == SessionRole.Initiator);
        victim.Session.Tell(CloseSession.Instance);
        var closedA = eventsA.ExpectMsg<SessionClosed>(Patience);
        var closedB = eventsB.ExpectMsg<SessionClosed>(Patience);
        Assert.Equal((victim.SessionId, CloseReason.LocalClose), (closedA.SessionId, closedA.Reason));
        Assert.Equal((victim.SessionId, CloseReason.PeerClosed), (closedB.SessionId, closedB.Reason));
        await ManagerStates.AwaitAsync(NodeA, s => s.Sessions == 2 * EachWay - 1 && s.Connections == 2 * EachWay - 1, Patience);

        var index = atA.Where(s => s.SessionId != victim.SessionId).Select((s, i) => (s.SessionId, i)).ToDictionary(x => x.SessionId, x => x.i);
        handlerA.Tell(new StartLoad(index, Messages), done.Ref);
        handlerB.Tell(new StartLoad(index, Messages), done.Ref);
        done.ExpectMsg<LoadDone>(Patience);
        done.ExpectMsg<LoadDone>(Patience);
        var resultsA = await handlerA.Ask<LoadResults>(GetLoadResults.Instance, Patience);
        var resultsB = await handlerB.Ask<LoadResults>(GetLoadResults.Instance, Patience);
        ThousandSessionsTests.AssertDeliveredExactlyOnceInOrder(resultsA, resultsB, 2 * EachWay - 1, Messages);
        Assert.False(eventsA.HasMessages, "node A: expected no further session event, got one");
        Assert.False(eventsB.HasMessages, "node B: expected no further session event, got one");

        // A's graceful stop closes its dialed and accepted sessions alike; B ends with nothing left either.
        await NodeA.ShutdownAsync(TimeSpan.FromSeconds(30));
        Assert.All(eventsB.ReceiveN(2 * EachWay - 1, Patience), e => Assert.Equal(CloseReason.PeerClosed, Assert.IsType<SessionClosed>(e).Reason));
        await ManagerStates.AwaitAsync(NodeA, s => ManagerStates.Idle(s, listeners: 0), Patience);
        await ManagerStates.AwaitAsync(NodeB, s => ManagerStates.Idle(s, listeners: 1), Patience);
    }
}

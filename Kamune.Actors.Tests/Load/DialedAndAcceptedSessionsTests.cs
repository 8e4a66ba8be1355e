using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Abstractions;
using Kamune.Actors;
using Kamune.Actors.Configuration;
using Kamune.Identity;

namespace Kamune.Tests.Load;

/// <summary>
/// Issue 4: one node holds hundreds of concurrent sessions, dialed and accepted at once, each independent. Node A
/// listens and dials 200 sessions to node B while B dials 200 to A; closing one leaves the other 399 untouched, and
/// messages then flow on all of them, exactly once and in order (<see cref="CheckingLoadHandler"/>).
/// </summary>
public sealed class DialedAndAcceptedSessionsTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private const int EachWay = 200;
    private const int Messages = 10;

    private static readonly Config NodeConfig = ConfigurationFactory.ParseString(
        "kamune { max-connections-per-address = 0, max-concurrent-handshakes = 0 }").WithFallback(KamuneConfig.Default);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly IdentityKeyPair _keyA = IdentityKeyPair.Generate(new DeterministicRandomSource(0xA5));
    private readonly IdentityKeyPair _keyB = IdentityKeyPair.Generate(new DeterministicRandomSource(0xB5));
    private readonly ActorSystem _systemB;
    private readonly KamuneExtension _nodeA;
    private readonly KamuneExtension _nodeB;

    public DialedAndAcceptedSessionsTests()
        : base(NodeConfig, "both-a")
    {
        _nodeA = KamuneExtension.Configure(Sys, new KamuneNodeOptions(_keyA, AcceptAllVerifier.Instance));
        _systemB = KamuneSystem.Create("both-b", new KamuneNodeOptions(_keyB, AcceptAllVerifier.Instance), NodeConfig);
        _nodeB = KamuneExtension.Get(_systemB);
    }

    [Fact]
    public async Task A_node_holds_hundreds_of_dialed_and_accepted_sessions_at_once_and_closing_one_leaves_the_others_flowing()
    {
        var eventsA = CreateTestProbe();
        var eventsB = CreateTestProbe();
        var dials = CreateTestProbe();
        var done = CreateTestProbe();
        var handlerA = Sys.ActorOf(CheckingLoadHandler.Props(eventsA.Ref), "handler-a");
        var handlerB = _systemB.ActorOf(CheckingLoadHandler.Props(eventsB.Ref), "handler-b");
        var portA = ((IPEndPoint)await _nodeA.ListenAsync("127.0.0.1", 0, handlerA)).Port;
        var portB = ((IPEndPoint)await _nodeB.ListenAsync("127.0.0.1", 0, handlerB)).Port;

        for (var i = 0; i < EachWay; i++)
        {
            _nodeA.Manager.Tell(new Dial("127.0.0.1", portB, handlerA), dials.Ref);
            _nodeB.Manager.Tell(new Dial("127.0.0.1", portA, handlerB), dials.Ref);
        }

        Assert.All(dials.ReceiveN(2 * EachWay, Patience), reply => Assert.IsType<Dialing>(reply));
        var atA = eventsA.ReceiveN(2 * EachWay, Patience).Select(e => Assert.IsType<SessionEstablished>(e)).ToList();
        var atB = eventsB.ReceiveN(2 * EachWay, Patience).Select(e => Assert.IsType<SessionEstablished>(e)).ToList();
        Assert.Equal(EachWay, atA.Count(s => s.Role == SessionRole.Initiator));
        Assert.Equal(EachWay, atA.Count(s => s.Role == SessionRole.Responder));
        Assert.Equal(atA.Select(s => s.SessionId).Order(), atB.Select(s => s.SessionId).Order());
        foreach (var node in new[] { _nodeA, _nodeB })
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
        await ManagerStates.AwaitAsync(_nodeA, s => s.Sessions == 2 * EachWay - 1 && s.Connections == 2 * EachWay - 1, Patience);

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
        await _nodeA.ShutdownAsync(TimeSpan.FromSeconds(30));
        Assert.All(eventsB.ReceiveN(2 * EachWay - 1, Patience), e => Assert.Equal(CloseReason.PeerClosed, Assert.IsType<SessionClosed>(e).Reason));
        await ManagerStates.AwaitAsync(_nodeA, s => ManagerStates.Idle(s, listeners: 0), Patience);
        await ManagerStates.AwaitAsync(_nodeB, s => ManagerStates.Idle(s, listeners: 1), Patience);
    }

    void IDisposable.Dispose()
    {
        _systemB.Terminate().Wait(TimeSpan.FromSeconds(20));
        Dispose();
        _keyA.Dispose();
        _keyB.Dispose();
    }
}

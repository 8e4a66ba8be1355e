using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// Issue 18 item 5, "every request is answered", for UnbindListener: each one is answered ListenerUnbound exactly once,
// however many ask and whatever else is unbinding the listener; the event stream hears of every bind and unbind.
// Real loopback listeners with stand-in sessions (TransportTestSessions.cs), port 0.
public sealed class UnbindAnswerTests : Akka.TestKit.Xunit2.TestKit
{
    private static KamuneSettings Settings() => KamuneSettings.Create(ConfigurationFactory.Empty);

    [Fact]
    public void Two_unbinds_of_one_listener_back_to_back_are_each_answered_ListenerUnbound_once()
    {
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));
        var local = Bind(manager, TestActor);
        var first = CreateTestProbe();
        var second = CreateTestProbe();

        manager.Tell(new UnbindListener(local), first.Ref);
        manager.Tell(new UnbindListener(local), second.Ref);

        Assert.Equal(local, first.ExpectMsg<ListenerUnbound>().LocalAddress);
        Assert.Equal(local, second.ExpectMsg<ListenerUnbound>().LocalAddress);
        first.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        second.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public async Task Unbinds_while_the_listener_drains_for_a_stopped_handler_are_each_answered()
    {
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));
        var handler = CreateTestProbe();
        var local = Bind(manager, handler.Ref);
        // An open connection keeps the listener draining (the stand-in session does not watch the handler).
        using var open = await RawFrames.ConnectEchoingAsync(((IPEndPoint)local).Port);
        Sys.Stop(handler.Ref);
        var first = CreateTestProbe();
        var second = CreateTestProbe();

        manager.Tell(new UnbindListener(local), first.Ref);
        manager.Tell(new UnbindListener(local), second.Ref);

        first.ExpectMsg<ListenerUnbound>();
        second.ExpectMsg<ListenerUnbound>();
    }

    [Fact]
    public void An_unbind_during_the_nodes_shutdown_is_answered_as_the_shutdown_unbinds_the_listener()
    {
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));
        var local = Bind(manager, TestActor);
        var asker = CreateTestProbe();

        // With no connection the shutdown unbinds every listener at once; the unbind arrives while it does.
        manager.Tell(new ShutdownNode(TimeSpan.FromSeconds(10)));
        manager.Tell(new UnbindListener(local), asker.Ref);

        Assert.Equal(local, asker.ExpectMsg<ListenerUnbound>().LocalAddress);
        ExpectMsg<NodeShutdownCompleted>();
    }

    [Fact]
    public void An_unbind_of_an_address_where_nothing_is_bound_is_answered_ListenerUnbound()
    {
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));
        var nowhere = new IPEndPoint(IPAddress.Loopback, 9);

        manager.Tell(new UnbindListener(nowhere));

        Assert.Equal(nowhere, ExpectMsg<ListenerUnbound>().LocalAddress);
    }

    [Fact]
    public void The_event_stream_hears_each_bind_and_the_unbind_of_a_listener_whose_handler_stopped()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(ListenerBound));
        Sys.EventStream.Subscribe(events.Ref, typeof(ListenerUnbound));
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));
        var handler = CreateTestProbe();
        var local = Bind(manager, handler.Ref);
        Assert.Equal(local, events.ExpectMsg<ListenerBound>().LocalAddress);

        // No connection to drain: the listener unbinds as soon as it sees its handler stop, and nobody asked it to.
        Sys.Stop(handler.Ref);

        Assert.Equal(local, events.ExpectMsg<ListenerUnbound>().LocalAddress);
        manager.Tell(GetManagerState.Instance);
        Assert.Equal(0, ExpectMsg<ManagerState>().Listeners);
    }

    private EndPoint Bind(IActorRef manager, IActorRef handler)
    {
        manager.Tell(new BindListener("127.0.0.1", 0, handler));
        return ExpectMsg<ListenerBound>().LocalAddress;
    }
}

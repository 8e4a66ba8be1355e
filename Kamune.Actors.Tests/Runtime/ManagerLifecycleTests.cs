using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// Issue 18 items 2, 4, 5 and 6: every request answered, a failure costs only its connection, a listener whose
// handler is gone unbinds, and the shutdown phase outlasts the manager's own deadline. Loopback, port 0.
public sealed class ManagerLifecycleTests : Akka.TestKit.Xunit2.TestKit
{
    private static KamuneSettings Settings(string hocon = "") =>
        KamuneSettings.Create(ConfigurationFactory.ParseString(hocon));

    [Fact]
    public async Task A_session_factory_that_throws_costs_only_its_connection_and_a_dial_through_it_is_answered_DialFailed()
    {
        var broken = CreateTestProbe();
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(),
            c => c.Handler.Equals(broken.Ref) ? throw new InvalidOperationException("factory bug") : EchoSession.Props(c)));
        manager.Tell(new BindListener("127.0.0.1", 0, TestActor));
        var echoPort = ((IPEndPoint)ExpectMsg<ListenerBound>().LocalAddress).Port;
        manager.Tell(new BindListener("127.0.0.1", 0, broken.Ref));
        var brokenPort = ((IPEndPoint)ExpectMsg<ListenerBound>().LocalAddress).Port;
        using var healthy = await RawFrames.ConnectEchoingAsync(echoPort);

        Assert.True(await RawFrames.RefusedWithinAsync(brokenPort, TimeSpan.FromSeconds(5)));
        manager.Tell(new DialPeer("127.0.0.1", echoPort, broken.Ref));
        Assert.Contains("the session could not start (InvalidOperationException: factory bug)", ExpectMsg<DialFailed>().Reason);

        // Nothing else noticed: both listeners and the healthy connection are still there (the dial's accepted end closed with it).
        await RawFrames.AssertEchoesAsync(healthy);
        AwaitAssert(() =>
        {
            manager.Tell(GetManagerState.Instance);
            Assert.Equal(new ManagerState(2, 1, 1, 1, 0), ExpectMsg<ManagerState>());
        });
    }

    [Fact]
    public async Task A_manager_that_fails_on_a_message_resumes_under_its_guardian_with_every_listener_and_connection()
    {
        var guardian = Sys.ActorOf(KamuneGuardian.Props(KamuneManager.Props(Settings(), EchoSession.Props)));
        guardian.Tell(new BindListener("127.0.0.1", 0, TestActor));
        var port = ((IPEndPoint)ExpectMsg<ListenerBound>().LocalAddress).Port;
        using var client = await RawFrames.ConnectEchoingAsync(port);

        // A caller's bug (null where the contract has none) throws inside the manager's receive.
        guardian.Tell(new UnbindListener(null!));

        // Under the system guardian's default restart this cost every listener and socket; resumed it costs nothing.
        await RawFrames.AssertEchoesAsync(client);
        guardian.Tell(GetManagerState.Instance);
        Assert.Equal(1, ExpectMsg<ManagerState>().Listeners);
        using var late = await RawFrames.ConnectEchoingAsync(port);
    }

    [Fact]
    public async Task A_dial_whose_writer_dies_before_the_connection_opened_is_answered_DialFailed()
    {
        // A listener whose accept queue is full: Linux drops further SYNs, so a dial to it stays unopened for seconds.
        using var full = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        full.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        full.Listen(1);
        var port = ((IPEndPoint)full.LocalEndPoint!).Port;
        var fillers = new List<TcpClient>();
        try
        {
            while (fillers.Count < 8)
            {
                var filler = new TcpClient();
                fillers.Add(filler);
                var connect = filler.ConnectAsync(IPAddress.Loopback, port);
                if (await Task.WhenAny(connect, Task.Delay(300)) != connect)
                {
                    break;
                }
            }

            var manager = Sys.ActorOf(KamuneManager.Props(Settings("kamune.dial-timeout = 30s"), EchoSession.Props), "dialing-manager");
            manager.Tell(new DialPeer("127.0.0.1", port, TestActor));
            ExpectNoMsg(TimeSpan.FromMilliseconds(300));

            // The writer crashes (Kill: ActorKilledException) while its connect is still pending.
            Sys.ActorSelection(manager.Path / "connection-*").Tell(Kill.Instance);

            var failed = ExpectMsg<DialFailed>(TimeSpan.FromSeconds(10));
            Assert.Equal("the connection actor stopped before the connection opened", failed.Reason);
            manager.Tell(GetManagerState.Instance);
            Assert.Equal(new ManagerState(0, 0, 0, 0, 0), ExpectMsg<ManagerState>());
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public void A_listener_that_stops_before_it_binds_is_answered_BindListenerFailed()
    {
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));

        // A null host makes the listener throw in PreStart: it is stopped before it could answer.
        manager.Tell(new BindListener(null!, 0, TestActor));

        Assert.Equal("the listener stopped before it bound", ExpectMsg<BindListenerFailed>().Reason);
    }

    [Fact]
    public async Task A_listener_whose_handler_stopped_refuses_newcomers_at_once_and_unbinds_and_stops_once_its_connections_closed()
    {
        // The stand-in session does not watch the handler, so its connection stays open as long as the client wants.
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));
        var handler = CreateTestProbe();
        manager.Tell(new BindListener("127.0.0.1", 0, handler.Ref));
        var port = ((IPEndPoint)ExpectMsg<ListenerBound>().LocalAddress).Port;
        var open = await RawFrames.ConnectEchoingAsync(port);

        Sys.Stop(handler.Ref);

        // Still bound (a connect is not refused by the kernel), but closed at once; the open connection is untouched.
        await AwaitAssertAsync(async () => Assert.True(await RawFrames.RefusedWithinAsync(port, TimeSpan.FromSeconds(1))),
            TimeSpan.FromSeconds(10));
        await RawFrames.AssertEchoesAsync(open);
        manager.Tell(GetManagerState.Instance);
        Assert.Equal(1, ExpectMsg<ManagerState>().Listeners);

        open.Dispose();
        AwaitAssert(() =>
        {
            manager.Tell(GetManagerState.Instance);
            Assert.Equal(0, ExpectMsg<ManagerState>().Listeners);
        }, TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var late = new TcpClient();
            await late.ConnectAsync(IPAddress.Loopback, port);
        });
    }

    [Fact]
    public async Task The_shutdown_phase_kamune_runs_in_outlasts_the_managers_own_deadline()
    {
        using var system = ActorSystem.Create("phase", KamuneConfig.Default);
        var phase = CoordinatedShutdown.Get(system).Timeout(CoordinatedShutdown.PhaseBeforeServiceUnbind);

        // The manager stops what is left at shutdown-timeout; the phase must still be running then.
        Assert.True(phase > KamuneSettings.Create(system).ShutdownTimeout + TimeSpan.FromSeconds(2),
            $"expected before-service-unbind to outlast kamune.shutdown-timeout by 2 s, got {phase}");
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
    }
}

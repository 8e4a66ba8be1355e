using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// The manager over real loopback TCP with stand-in sessions (TransportTestSessions.cs): listening, dialing,
// dial failure and supervision. Port 0 and 127.0.0.1 only.
public sealed class KamuneManagerTests : Akka.TestKit.Xunit2.TestKit
{
    private static KamuneSettings Settings(string hocon = "") =>
        KamuneSettings.Create(ConfigurationFactory.ParseString(hocon));

    [Fact]
    public void Dialed_and_accepted_connections_carry_frames_both_ways_in_order()
    {
        var dialHandler = CreateTestProbe();
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), c => c.Dialed ? DrivingSession.Props(c, 500, 700) : EchoSession.Props(c)));

        manager.Tell(new BindListener("127.0.0.1", 0, TestActor));
        var port = ((IPEndPoint)ExpectMsg<ListenerBound>().LocalAddress).Port;
        manager.Tell(new DialPeer("127.0.0.1", port, dialHandler.Ref));
        var dialing = ExpectMsg<DialConnected>();
        Assert.Equal(port, ((IPEndPoint)dialing.RemoteAddress).Port);

        for (var i = 0; i < 500; i++)
        {
            var seen = dialHandler.ExpectMsg<FrameSeen>();
            Assert.Equal(DrivingSession.Frame(i, 700).ToArray(), seen.Payload);
        }
    }

    [Fact]
    public void Dial_to_a_closed_port_answers_DialFailed_and_leaves_nothing_running()
    {
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));
        var port = FreePort();

        manager.Tell(new DialPeer("127.0.0.1", port, TestActor));

        var failed = ExpectMsg<DialFailed>(TimeSpan.FromSeconds(10));
        Assert.Equal(("127.0.0.1", port), (failed.Host, failed.Port));
        // The reason names the failure; it used to read "A task was canceled.".
        Assert.StartsWith("connection refused", failed.Reason);
        // DialFailed is sent only after the connection's writer terminated, so this is not a race.
        manager.Tell(GetManagerState.Instance);
        Assert.Equal(new ManagerState(0, 0, 0, 0, 0), ExpectMsg<ManagerState>());
    }

    [Fact]
    public void Dial_to_a_name_that_does_not_resolve_answers_DialFailed_saying_host_not_found()
    {
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));

        // RFC 6761: names under .invalid never resolve.
        manager.Tell(new DialPeer("no-such-host.invalid", 7, TestActor));

        Assert.StartsWith("host not found: no-such-host.invalid", ExpectMsg<DialFailed>(TimeSpan.FromSeconds(20)).Reason);
        manager.Tell(GetManagerState.Instance);
        Assert.Equal(new ManagerState(0, 0, 0, 0, 0), ExpectMsg<ManagerState>());
    }

    [Fact]
    public void Dial_with_an_invalid_port_is_refused_without_connecting()
    {
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));

        manager.Tell(new DialPeer("127.0.0.1", 0, TestActor));

        Assert.Contains("got \"127.0.0.1\" and 0", ExpectMsg<DialFailed>().Reason);
    }

    [Fact]
    public async Task A_failing_session_is_stopped_and_its_connection_closed_while_another_session_and_the_manager_go_on()
    {
        var crashHandler = CreateTestProbe();
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(),
            c => c.Handler.Equals(crashHandler.Ref) ? CrashingSession.Props(c) : EchoSession.Props(c)));
        manager.Tell(new BindListener("127.0.0.1", 0, crashHandler.Ref));
        var crashPort = ((IPEndPoint)ExpectMsg<ListenerBound>().LocalAddress).Port;
        manager.Tell(new BindListener("127.0.0.1", 0, TestActor));
        var echoPort = ((IPEndPoint)ExpectMsg<ListenerBound>().LocalAddress).Port;

        using var healthy = new TcpClient();
        await healthy.ConnectAsync(IPAddress.Loopback, echoPort);
        using var broken = new TcpClient();
        await broken.ConnectAsync(IPAddress.Loopback, crashPort);

        await RawFrames.WriteAsync(broken.GetStream(), new byte[] { 1, 2, 3 });
        Assert.True(await RawFrames.ClosedWithinAsync(broken, TimeSpan.FromSeconds(5)));

        for (var i = 0; i < 20; i++)
        {
            var payload = DrivingSession.Frame(i, 300).ToArray();
            await RawFrames.WriteAsync(healthy.GetStream(), payload);
            Assert.Equal(payload, await RawFrames.ReadAsync(healthy.GetStream()));
        }

        AwaitAssert(() =>
        {
            manager.Tell(GetManagerState.Instance);
            Assert.Equal(new ManagerState(2, 1, 1, 1, 0), ExpectMsg<ManagerState>());
        });
    }

    [Fact]
    public async Task Listener_closes_connections_beyond_the_per_address_limit_and_admits_again_once_one_ends()
    {
        var manager = Sys.ActorOf(KamuneManager.Props(Settings("kamune.max-connections-per-address = 2"), EchoSession.Props));
        manager.Tell(new BindListener("127.0.0.1", 0, TestActor));
        var port = ((IPEndPoint)ExpectMsg<ListenerBound>().LocalAddress).Port;

        var first = await RawFrames.ConnectEchoingAsync(port);
        var second = await RawFrames.ConnectEchoingAsync(port);
        Assert.True(await RawFrames.RefusedWithinAsync(port, TimeSpan.FromSeconds(5)));
        await RawFrames.AssertEchoesAsync(second);

        first.Dispose();
        // The slot frees once the first connection's writer has stopped; until then a new one is still refused.
        await AwaitAssertAsync(async () =>
        {
            using var fourth = await RawFrames.ConnectEchoingAsync(port);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        second.Dispose();
    }

    [Fact]
    public async Task Unbind_stops_accepting_and_ends_the_connections_of_that_listener_only()
    {
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));
        manager.Tell(new BindListener("127.0.0.1", 0, TestActor));
        var local = ExpectMsg<ListenerBound>().LocalAddress;
        manager.Tell(new BindListener("127.0.0.1", 0, TestActor));
        var other = ExpectMsg<ListenerBound>().LocalAddress;
        using var client = await RawFrames.ConnectEchoingAsync(((IPEndPoint)local).Port);
        using var otherClient = await RawFrames.ConnectEchoingAsync(((IPEndPoint)other).Port);

        manager.Tell(new UnbindListener(local));
        ExpectMsg<ListenerUnbound>();

        await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var late = new TcpClient();
            await late.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)local).Port);
        });
        Assert.True(await RawFrames.ClosedWithinAsync(client, TimeSpan.FromSeconds(5)));
        await RawFrames.AssertEchoesAsync(otherClient);
        AwaitAssert(() =>
        {
            manager.Tell(GetManagerState.Instance);
            Assert.Equal(new ManagerState(1, 1, 1, 1, 0), ExpectMsg<ManagerState>());
        });
    }

    [Fact]
    public void Listen_on_a_port_in_use_answers_BindListenerFailed()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var manager = Sys.ActorOf(KamuneManager.Props(Settings(), EchoSession.Props));

        manager.Tell(new BindListener("127.0.0.1", port, TestActor));

        var failed = ExpectMsg<BindListenerFailed>();
        Assert.Equal(port, failed.Port);
        manager.Tell(GetManagerState.Instance);
        AwaitAssert(() =>
        {
            manager.Tell(GetManagerState.Instance);
            Assert.Equal(0, ExpectMsg<ManagerState>().Listeners);
        });
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

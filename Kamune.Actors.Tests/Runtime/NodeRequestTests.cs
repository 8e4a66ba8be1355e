using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Kamune.Tests.Runtime;

// Issue 18 item 5 ("asks carry a default timeout") for IKamuneNode and KamuneExtension, and IKamuneNode.Listeners
// kept true by UnbindAsync and by a listener that unbinds because its handler stopped. Real hosts over loopback.
public sealed class NodeRequestTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Without_WithKamune_every_IKamuneNode_call_fails_at_once_naming_the_missing_registration()
    {
        using var host = HostedNodes.Build("no-kamune", _ => { });
        var node = host.Services.GetRequiredService<IKamuneNode>();

        // Before the host starts and after: nothing will ever start this node.
        var before = await Assert.ThrowsAsync<KamuneNodeException>(() => node.ListenAsync("127.0.0.1", 0, TestActor).WaitAsync(Deadline));
        await host.StartAsync();
        var dial = await Assert.ThrowsAsync<KamuneNodeException>(() => node.DialAsync("127.0.0.1", 9, TestActor).WaitAsync(Deadline));
        var unbind = await Assert.ThrowsAsync<KamuneNodeException>(
            () => node.UnbindAsync(new IPEndPoint(IPAddress.Loopback, 9)).WaitAsync(Deadline));

        foreach (var error in new[] { before, dial, unbind })
        {
            Assert.Contains("got AddKamuneNode without WithKamune", error.Message, StringComparison.Ordinal);
        }

        await host.StopAsync();
    }

    [Fact]
    public async Task A_call_to_a_host_that_never_starts_fails_after_kamune_request_timeout()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x90));
        using var host = HostedNodes.Build("never-started", akka => akka.WithKamune(options =>
        {
            options.Identity = key;
            options.Verifier = AcceptAllVerifier.Instance;
            options.Config = ConfigurationFactory.ParseString("kamune.request-timeout = 1s");
        }));
        var node = host.Services.GetRequiredService<IKamuneNode>();

        var error = await Assert.ThrowsAsync<KamuneNodeException>(() => node.DialAsync("127.0.0.1", 9, TestActor).WaitAsync(Deadline));

        Assert.Equal(
            "Kamune dial 127.0.0.1:9: expected the host to have started Kamune within kamune.request-timeout (1 s), got no start (is the host started?)",
            error.Message);
    }

    [Fact]
    public async Task Listeners_lists_only_what_is_still_bound_after_UnbindAsync_and_after_a_handler_stopped()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x91));
        using var host = HostedNodes.Build("unbinding", akka => akka.WithKamune(options =>
        {
            options.Identity = key;
            options.Verifier = AcceptAllVerifier.Instance;
            options.AddListen("127.0.0.1", 0, KamuneHandler.FromActor(TestActor));
        }));
        await host.StartAsync();
        var node = host.Services.GetRequiredService<IKamuneNode>();
        var fromOptions = (IPEndPoint)Assert.Single(node.Listeners);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var shortLived = system.ActorOf(Relay.Props(TestActor), "short-lived");
        var onDemand = (IPEndPoint)await node.ListenAsync("127.0.0.1", 0, shortLived).WaitAsync(Deadline);
        Assert.Equal([fromOptions, onDemand], node.Listeners);

        await node.UnbindAsync(fromOptions).WaitAsync(Deadline);

        Assert.Equal([onDemand], node.Listeners);
        await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(fromOptions.Port));
        // Unbinding what is no longer bound is answered too.
        await node.UnbindAsync(fromOptions).WaitAsync(Deadline);

        // Nobody asked: the listener unbinds on its own once its handler has stopped (it had no connections to drain).
        system.Stop(shortLived);
        await AwaitAssertAsync(() => Assert.Empty(node.Listeners), Deadline);
        await Assert.ThrowsAsync<SocketException>(() => ConnectAsync(onDemand.Port));
        await host.StopAsync();
    }

    [Fact]
    public async Task ShutdownAsync_throws_a_KamuneNodeException_when_the_manager_never_answers()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x92));
        var system = KamuneSystem.Create("unanswered-shutdown", new KamuneNodeOptions(key, AcceptAllVerifier.Instance));
        try
        {
            var kamune = KamuneExtension.Get(system);
            Watch(kamune.Manager);
            system.Stop(kamune.Manager);
            ExpectTerminated(kamune.Manager);

            var error = await Assert.ThrowsAsync<KamuneNodeException>(() => kamune.ShutdownAsync(TimeSpan.Zero).WaitAsync(Deadline));

            Assert.Equal("shutdown: expected NodeShutdownCompleted within 5 s (the timeout and 5 s), got none", error.Message);
        }
        finally
        {
            await system.Terminate().WaitAsync(Deadline);
        }
    }

    private static async Task ConnectAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
    }
}

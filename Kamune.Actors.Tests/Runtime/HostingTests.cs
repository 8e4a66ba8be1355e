using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Hosting;
using Kamune.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kamune.Tests.Runtime;

// Issue 17 item 3: two real Microsoft.Extensions.Hosting hosts over loopback, configured only through KamuneOptions
// and IKamuneNode: listen and dial from the options, handlers from the ActorRegistry and from Props, Kamune's logs
// through MEL, a graceful close when a host stops, and each identity disposed by whoever owns it.
public sealed class HostingTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_host_dials_another_through_options_and_the_registry_handler_receives_the_message()
    {
        using var aliceKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x40));
        var bobKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x41));
        var aliceInbox = CreateTestProbe();
        var bobInbox = CreateTestProbe();
        var aliceLogs = new CapturedLogs();

        using var alice = HostedNodes.Build("alice", akka => akka
            .WithActors((_, registry) => registry.Register<InboxKey>(aliceInbox.Ref))
            .WithKamune(options =>
            {
                options.Identity = aliceKey;
                options.Verifier = AllowListVerifier.FromIdentities([bobKey.PublicIdentity]);
                options.Handler = KamuneHandler.FromRegistry<InboxKey>();
                options.AddListen("127.0.0.1", 0);
            }), aliceLogs);
        await alice.StartAsync();
        var aliceNode = alice.Services.GetRequiredService<IKamuneNode>();
        var bound = (IPEndPoint)Assert.Single(aliceNode.Listeners);
        Assert.NotEqual(0, bound.Port);

        // Bob's identity is Kamune's (IdentityFactory), his verifier comes from the service provider.
        using var bob = HostedNodes.Build("bob", akka => akka.WithKamune(options =>
            {
                options.IdentityFactory = _ => bobKey;
                options.Handler = KamuneHandler.FromProps(Relay.Props(bobInbox.Ref), "kamune-inbox");
                options.AddDial("127.0.0.1", bound.Port);
            }),
            services: collection => collection.AddSingleton<IIdentityVerifier>(AllowListVerifier.FromIdentities([aliceKey.PublicIdentity])));
        await bob.StartAsync();

        var dialing = await bobInbox.ExpectMsgAsync<DialConnected>(Deadline);
        Assert.Equal(bound, dialing.RemoteAddress);
        var atBob = await bobInbox.ExpectMsgAsync<SessionEstablished>(Deadline);
        var atAlice = await aliceInbox.ExpectMsgAsync<SessionEstablished>(Deadline);
        Assert.Equal(atAlice.SessionId, atBob.SessionId);
        Assert.Equal(bobKey.PublicIdentity, atAlice.Peer.Identity);
        Assert.Equal(SessionRole.Responder, atAlice.Role);

        atBob.Session.Tell(new SendMessage("hello alice"u8.ToArray()), bobInbox.Ref);
        await bobInbox.ExpectMsgAsync<SendAck>(Deadline);
        var received = await aliceInbox.ExpectMsgAsync<MessageReceived>(Deadline);
        Assert.Equal("hello alice"u8.ToArray(), received.Data.ToArray());
        received.Session.Tell(DeliveryAck.Instance);

        // Stopping Bob's host closes his session gracefully: Alice hears CLOSE_TRANSPORT, not a lost connection.
        await bob.StopAsync();
        Assert.Equal(CloseReason.LocalClose, (await bobInbox.ExpectMsgAsync<SessionClosed>(Deadline)).Reason);
        Assert.Equal(CloseReason.PeerClosed, (await aliceInbox.ExpectMsgAsync<SessionClosed>(Deadline)).Reason);
        Assert.True(bob.Services.GetRequiredService<ActorSystem>().WhenTerminated.IsCompleted);
        Assert.Throws<ObjectDisposedException>(() => bobKey.ExportPkcs8Pem());

        await alice.StopAsync();
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", aliceKey.ExportPkcs8Pem(), StringComparison.Ordinal);
        // Akka.Hosting's MEL logger writes every Akka event under one category, the ActorSystem's type.
        Assert.Contains(aliceLogs.Lines, line => line.Category == typeof(ActorSystem).FullName && line.Level == LogLevel.Information
            && line.Line.Contains($"Kamune listening on {bound}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task IKamuneNode_dials_with_typed_results_once_the_host_starts_and_throws_a_typed_exception_when_refused()
    {
        using var aliceKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x42));
        using var bobKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x43));
        var aliceInbox = CreateTestProbe();
        var bobInbox = CreateTestProbe();
        using var alice = HostedNodes.Build("alice", akka => akka.WithKamune(options =>
        {
            options.Identity = aliceKey;
            options.Verifier = AcceptAllVerifier.Instance;
            options.AddListen("127.0.0.1", 0, KamuneHandler.FromActor(aliceInbox.Ref));
        }));
        using var bob = HostedNodes.Build("bob", akka => akka
            .WithActors((system, registry) => registry.Register<InboxKey>(system.ActorOf(Relay.Props(bobInbox.Ref), "inbox")))
            .WithKamune(options =>
            {
                options.Identity = bobKey;
                options.Verifier = AcceptAllVerifier.Instance;
                options.Handler = KamuneHandler.FromRegistry<InboxKey>();
            }));
        await alice.StartAsync();
        var port = ((IPEndPoint)alice.Services.GetRequiredService<IKamuneNode>().Listeners[0]).Port;

        // Asked before Bob's host has started, the dial waits for Kamune to start instead of failing.
        var bobNode = bob.Services.GetRequiredService<IKamuneNode>();
        Assert.Throws<InvalidOperationException>(() => bobNode.Manager);
        var dial = bobNode.DialAsync("127.0.0.1", port);
        await bob.StartAsync();
        var dialing = await dial.WaitAsync(Deadline);
        Assert.Equal(port, ((IPEndPoint)dialing.RemoteAddress).Port);
        Assert.Equal(aliceKey.PublicIdentity, (await bobInbox.ExpectMsgAsync<SessionEstablished>(Deadline)).Peer.Identity);
        Assert.Equal(bobKey.PublicIdentity, (await aliceInbox.ExpectMsgAsync<SessionEstablished>(Deadline)).Peer.Identity);
        Assert.Equal(bobKey.PublicIdentity, bobNode.Identity);
        Assert.Equal(bobNode.Manager, bob.Services.GetRequiredService<IRequiredActor<KamuneManagerKey>>().ActorRef);

        var closedPort = FreePort();
        var refused = await Assert.ThrowsAsync<KamuneNodeException>(() => bobNode.DialAsync("127.0.0.1", closedPort).WaitAsync(Deadline));
        Assert.Contains($"dial 127.0.0.1:{closedPort} failed", refused.Message, StringComparison.Ordinal);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bobNode.ListenAsync("127.0.0.1", 0, cancellationToken: cancelled.Token));

        var second = await bobNode.ListenAsync("127.0.0.1", 0).WaitAsync(Deadline);
        Assert.Equal(second, Assert.Single(bobNode.Listeners));
        await bob.StopAsync();
        await alice.StopAsync();
        Assert.Equal(CloseReason.LocalClose, (await bobInbox.FishForMessageAsync<SessionClosed>(_ => true, Deadline)).Reason);
    }

    [Fact]
    public async Task A_listen_that_cannot_bind_fails_the_host_start_with_a_typed_exception()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x44));
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var host = HostedNodes.Build("busy", akka => akka.WithKamune(options =>
        {
            options.Identity = key;
            options.Verifier = AcceptAllVerifier.Instance;
            options.AddListen("127.0.0.1", port, KamuneHandler.FromActor(TestActor));
        }));

        var failure = await Assert.ThrowsAsync<KamuneNodeException>(() => host.StartAsync().WaitAsync(Deadline));
        Assert.Contains($"listen on 127.0.0.1:{port} failed", failure.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<KamuneNodeException>(() => host.Services.GetRequiredService<IKamuneNode>().DialAsync("127.0.0.1", port));
    }

    [Fact]
    public async Task A_dial_in_the_options_that_fails_does_not_stop_the_start_and_its_handler_is_told_DialFailed()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x47));
        var closedPort = FreePort();
        var inbox = CreateTestProbe();
        // One FromProps handler named by the options and by every endpoint: created once (a second /user/relay would fail the start).
        var relay = KamuneHandler.FromProps(Relay.Props(inbox.Ref), "relay");
        using var host = HostedNodes.Build("dialer", akka => akka.WithKamune(options =>
        {
            options.Identity = key;
            options.Verifier = AcceptAllVerifier.Instance;
            options.Handler = relay;
            options.AddListen("127.0.0.1", 0, relay).AddListen("127.0.0.2", 0, relay).AddDial("127.0.0.1", closedPort, relay);
        }));

        await host.StartAsync().WaitAsync(Deadline);
        var failed = await inbox.ExpectMsgAsync<DialFailed>(Deadline);
        Assert.Equal(("127.0.0.1", closedPort), (failed.Host, failed.Port));
        Assert.Equal(2, host.Services.GetRequiredService<IKamuneNode>().Listeners.Count);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_handler_key_nobody_registered_fails_the_host_start_naming_the_key()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x45));
        using var host = HostedNodes.Build("unregistered", akka => akka.WithKamune(options =>
        {
            options.Identity = key;
            options.Verifier = AcceptAllVerifier.Instance;
            options.Handler = KamuneHandler.FromRegistry<InboxKey>();
        }));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(Deadline));
        Assert.Contains("expected an actor registered under InboxKey", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_with_no_identity_or_two_fail_the_host_start()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x46));
        using var none = HostedNodes.Build("none", akka => akka.WithKamune(_ => { }));
        var neither = await Assert.ThrowsAsync<ArgumentException>(() => none.StartAsync().WaitAsync(Deadline));
        Assert.Contains("got neither", neither.Message, StringComparison.Ordinal);
        using var two = HostedNodes.Build("both", akka => akka.WithKamune(options =>
        {
            options.Identity = key;
            options.IdentityFactory = _ => key;
        }));
        var both = await Assert.ThrowsAsync<ArgumentException>(() => two.StartAsync().WaitAsync(Deadline));
        Assert.Contains("got both", both.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Akka.TestKit;
using Kamune.Abstractions;
using Kamune.Actors;
using Kamune.Actors.Configuration;
using Kamune.Actors.Hosting;
using Kamune.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kamune.Tests.Runtime;

// Issue 3 item 4: a Microsoft.Extensions.Hosting app registers Kamune with Akka.Hosting and talks to a peer
// over real loopback TCP through the manager it gets from the ActorRegistry.
public sealed class HostingTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Akka.Configuration.Config Loopback = Akka.Configuration.ConfigurationFactory
        .ParseString("kamune.max-connections-per-address = 0")
        .WithFallback(KamuneConfig.Default);

    [Fact]
    public async Task A_generic_host_with_WithKamune_accepts_a_session_from_a_plain_ActorSystem()
    {
        using var hostKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x40));
        using var dialerKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x41));
        var hostProbe = CreateTestProbe();
        var dialerProbe = CreateTestProbe();

        using var host = Host.CreateDefaultBuilder()
            .ConfigureServices(services => services.AddAkka("hosted-node", builder =>
                builder.WithKamune(_ => new KamuneNodeOptions(hostKey, AcceptAllVerifier.Instance))))
            .Build();
        await host.StartAsync();
        try
        {
            var manager = host.Services.GetRequiredService<ActorRegistry>().Get<KamuneManagerKey>();
            var listening = await manager.Ask<Listening>(new Listen("127.0.0.1", 0, hostProbe.Ref), TimeSpan.FromSeconds(10));

            var dialer = KamuneSystem.Create("dialer", new KamuneNodeOptions(dialerKey, AcceptAllVerifier.Instance), Loopback);
            try
            {
                await KamuneExtension.Get(dialer).DialAsync("127.0.0.1", ((IPEndPoint)listening.LocalAddress).Port, dialerProbe.Ref);
                var atHost = hostProbe.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));
                var atDialer = dialerProbe.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));
                Assert.Equal(atHost.SessionId, atDialer.SessionId);
                Assert.Equal(SessionRole.Responder, atHost.Role);
                Assert.Equal(dialerKey.PublicIdentity, atHost.Peer.Identity);

                atDialer.Session.Tell(new Send("from the dialer"u8.ToArray()), dialerProbe.Ref);
                dialerProbe.ExpectMsg<SendAck>();
                var received = hostProbe.FishForMessage<MessageReceived>(_ => true, TimeSpan.FromSeconds(10));
                Assert.Equal("from the dialer"u8.ToArray(), received.Data.ToArray());
            }
            finally
            {
                await dialer.Terminate();
            }
        }
        finally
        {
            await host.StopAsync();
        }
    }
}

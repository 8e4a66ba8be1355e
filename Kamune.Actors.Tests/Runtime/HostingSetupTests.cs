using Akka.Actor;
using Akka.Hosting;
using Kamune.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Kamune.Tests.Runtime;

// Issue 17 item 6 under Akka.Hosting: WithKamune hands the options to the ActorSystem as a KamuneSetup (AddSetup), so
// the hosted system starts Kamune the way any extension starts, and KamuneExtension.Get works on it from anywhere.
public sealed class HostingSetupTests
{
    [Fact]
    public async Task A_hosted_system_carries_a_KamuneSetup_and_Get_returns_the_extension_with_the_hosts_identity()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x73));
        using var host = HostedNodes.Build("hosted-setup", akka => akka.WithKamune(options =>
        {
            options.Identity = key;
            options.Verifier = AcceptAllVerifier.Instance;
        }));
        await host.StartAsync();
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();

            Assert.True(system.Settings.Setup.Get<KamuneSetup>().HasValue);
            var kamune = KamuneExtension.Get(system);
            Assert.Same(key, kamune.Options.Identity);
            Assert.Same(AcceptAllVerifier.Instance, kamune.Options.Verifier);
            Assert.Equal(kamune.Manager, host.Services.GetRequiredService<IKamuneNode>().Manager);
            Assert.Equal(kamune.Manager, await host.Services.GetRequiredService<IRequiredActor<KamuneManagerKey>>().GetAsync());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task A_second_WithKamune_on_one_builder_fails_the_start_and_names_the_mistake()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x74));
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var host = HostedNodes.Build("hosted-twice", akka => akka
                .WithKamune(options =>
                {
                    options.Identity = key;
                    options.Verifier = AcceptAllVerifier.Instance;
                })
                .WithKamune(options =>
                {
                    options.Identity = key;
                    options.Verifier = AcceptAllVerifier.Instance;
                }));
            await host.StartAsync();
            await host.StopAsync();
        });

        Assert.NotNull(failure);
        var chain = new List<string>();
        for (var e = failure; e is not null; e = e.InnerException)
        {
            chain.Add(e.Message);
        }

        Assert.Contains(chain, m => m.Contains("expected one WithKamune per ActorSystem", StringComparison.Ordinal));
    }
}

using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;

namespace Kamune.Tests.Configuration;

// Issue 17 item 6: what configuration cannot say comes through an ActorSystemSetup, so KamuneExtension.Get works like
// any Akka extension's Get; the reference config becomes every such system's fallback; Configure still works.
public sealed class KamuneSetupTests : IDisposable
{
    private readonly IdentityKeyPair _key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x5e));
    private readonly List<ActorSystem> _systems = [];

    [Fact]
    public void Get_on_a_system_created_with_a_KamuneSetup_starts_Kamune_with_exactly_those_options()
    {
        var options = new KamuneNodeOptions(_key, AcceptAllVerifier.Instance);
        var system = Create(BootstrapSetup.Create().And(new KamuneSetup(options)));

        var kamune = KamuneExtension.Get(system);

        Assert.Same(options, kamune.Options);
        Assert.Same(kamune, KamuneExtension.Get(system));
        // Akka's own way to an extension by its id finds the same one.
        Assert.Same(kamune, system.WithExtension<KamuneExtension, KamuneExtensionProvider>());
        Assert.NotNull(kamune.Manager);
    }

    [Fact]
    public void Get_on_a_system_without_a_setup_names_what_to_add_and_Configure_still_starts_it_afterwards()
    {
        var system = Create(ActorSystemSetup.Create(BootstrapSetup.Create()));

        var error = Assert.Throws<InvalidOperationException>(() => KamuneExtension.Get(system));

        Assert.Contains("expected a KamuneSetup in the ActorSystemSetup of system", error.Message, StringComparison.Ordinal);
        Assert.Contains("KamuneExtension.Configure(system, options)", error.Message, StringComparison.Ordinal);
        var options = new KamuneNodeOptions(_key, AcceptAllVerifier.Instance);
        Assert.Same(options, KamuneExtension.Configure(system, options).Options);
        Assert.Same(options, KamuneExtension.Get(system).Options);
    }

    [Fact]
    public void Akkas_extension_id_on_a_system_without_a_setup_fails_naming_the_setup()
    {
        var system = Create(ActorSystemSetup.Create(BootstrapSetup.Create()));

        var error = Assert.Throws<InvalidOperationException>(() => system.WithExtension<KamuneExtension, KamuneExtensionProvider>());

        Assert.Contains("KamuneSetup", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reference_config_becomes_the_fallback_of_a_system_that_was_given_only_its_own_config()
    {
        var own = ConfigurationFactory.ParseString("kamune.send-window = 32");
        var system = Create(BootstrapSetup.Create().WithConfig(own).And(new KamuneSetup(new KamuneNodeOptions(_key, AcceptAllVerifier.Instance))));
        Assert.False(system.Settings.Config.HasPath("kamune.handshake-timeout"));

        var kamune = KamuneExtension.Get(system);

        Assert.Equal(TimeSpan.FromSeconds(30), system.Settings.Config.GetTimeSpan("kamune.handshake-timeout"));
        Assert.Equal("akka.actor.default-dispatcher", system.Settings.Config.GetString("kamune.dispatcher"));
        Assert.Equal((32, 32), (system.Settings.Config.GetInt("kamune.send-window"), kamune.Settings.SendWindow));
    }

    [Fact]
    public void A_setup_made_from_a_function_is_asked_once_with_the_system_it_starts_in()
    {
        var asked = new List<ActorSystem>();
        var options = new KamuneNodeOptions(_key, AcceptAllVerifier.Instance);
        var system = Create(BootstrapSetup.Create().And(KamuneSetup.Create(s =>
        {
            asked.Add(s);
            return options;
        })));

        KamuneExtension.Get(system);
        KamuneExtension.Get(system);

        Assert.Same(system, Assert.Single(asked));
        Assert.Same(options, KamuneExtension.Get(system).Options);
    }

    [Fact]
    public void Configure_with_other_options_than_the_setups_is_refused()
    {
        var system = Create(BootstrapSetup.Create().And(new KamuneSetup(new KamuneNodeOptions(_key, AcceptAllVerifier.Instance))));
        KamuneExtension.Get(system);

        var error = Assert.Throws<InvalidOperationException>(() => KamuneExtension.Configure(system, new KamuneNodeOptions(_key, AcceptAllVerifier.Instance)));

        Assert.Contains("expected one configuration per ActorSystem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KamuneSystem_Create_gives_its_system_a_KamuneSetup_with_the_options()
    {
        var options = new KamuneNodeOptions(_key, AcceptAllVerifier.Instance);
        var system = KamuneSystem.Create("kamune-system", options);
        _systems.Add(system);

        Assert.True(system.Settings.Setup.Get<KamuneSetup>().HasValue);
        Assert.Same(options, KamuneExtension.Get(system).Options);
    }

    [Fact]
    public void KamuneSystem_Create_takes_the_reference_config_itself_and_a_config_over_it()
    {
        var options = new KamuneNodeOptions(_key, AcceptAllVerifier.Instance);

        var withReference = KamuneSystem.Create("kamune-reference", options, KamuneConfig.Default);
        _systems.Add(withReference);
        var over = KamuneSystem.Create("kamune-over", options,
            ConfigurationFactory.ParseString("kamune.send-window = 32").WithFallback(KamuneConfig.Default));
        _systems.Add(over);

        Assert.Equal(64, KamuneExtension.Get(withReference).Settings.SendWindow);
        Assert.Equal(32, KamuneExtension.Get(over).Settings.SendWindow);
    }

    [Fact]
    public void A_dispatcher_id_the_system_does_not_know_fails_the_start_naming_the_key()
    {
        var system = Create(BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString("kamune.dispatcher = no-such-dispatcher"))
            .And(new KamuneSetup(new KamuneNodeOptions(_key, AcceptAllVerifier.Instance))));

        var error = Assert.Throws<ConfigurationException>(() => KamuneExtension.Get(system));

        Assert.Equal("kamune.dispatcher: expected the id of a dispatcher defined in the config, got \"no-such-dispatcher\"", error.Message);
    }

    private ActorSystem Create(ActorSystemSetup setup)
    {
        var system = ActorSystem.Create($"setup-{_systems.Count}", setup);
        _systems.Add(system);
        return system;
    }

    public void Dispose()
    {
        Task.WaitAll(_systems.Select(s => s.Terminate()).ToArray(), TimeSpan.FromSeconds(20));
        _key.Dispose();
    }
}

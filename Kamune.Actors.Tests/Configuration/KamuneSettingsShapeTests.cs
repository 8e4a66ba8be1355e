using System.Reflection;
using Akka.Configuration;

namespace Kamune.Tests.Configuration;

// Issue 17 item 6: the settings are a sealed class read once from Config (adding a setting breaks no caller), the
// library's reference config holds only what the library reads, and kamune.app-version is no longer a setting.
public sealed class KamuneSettingsShapeTests
{
    [Fact]
    public void The_settings_are_a_sealed_class_with_get_only_properties_made_only_by_Create()
    {
        var type = typeof(KamuneSettings);

        Assert.True(type.IsSealed && type.IsClass);
        Assert.Empty(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance));
        // A record would have a compiler-made Clone and an IEquatable<KamuneSettings>: with-expressions and
        // positional constructors are what made each new setting a binary break.
        Assert.Null(type.GetMethod("<Clone>$"));
        Assert.DoesNotContain(typeof(IEquatable<KamuneSettings>), type.GetInterfaces());
        Assert.All(type.GetProperties(BindingFlags.Public | BindingFlags.Instance), p => Assert.Null(p.SetMethod));
    }

    [Fact]
    public void The_reference_config_has_no_listen_address_and_no_app_version_but_the_backlog_and_the_dispatcher()
    {
        var reference = KamuneConfig.Default;

        Assert.False(reference.HasPath("kamune.listen"));
        Assert.False(reference.HasPath("kamune.app-version"));
        Assert.Equal(4096, reference.GetInt("kamune.listen-backlog"));
        Assert.Equal("akka.actor.default-dispatcher", reference.GetString("kamune.dispatcher"));
        var settings = KamuneSettings.Create(ConfigurationFactory.Empty);
        Assert.Equal((4096, "akka.actor.default-dispatcher"), (settings.ListenBacklog, settings.Dispatcher));
    }

    [Fact]
    public void The_reference_config_itself_reads_as_the_defaults_like_an_empty_config()
    {
        // Akka refuses a config as its own fallback: Create must not put the reference behind itself.
        var fromReference = KamuneSettings.Create(KamuneConfig.Default);
        var fromEmpty = KamuneSettings.Create(ConfigurationFactory.Empty);

        Assert.Equal((fromEmpty.SendWindow, fromEmpty.HandshakeTimeout, fromEmpty.RequestTimeout), (fromReference.SendWindow, fromReference.HandshakeTimeout, fromReference.RequestTimeout));
    }

    [Fact]
    public void A_config_that_still_states_the_protocol_version_as_app_version_loads()
    {
        var settings = KamuneSettings.Create(ConfigurationFactory.ParseString("kamune { app-version = \"0.7.0\", send-window = 32 }"));

        Assert.Equal(32, settings.SendWindow);
    }

    [Theory]
    [InlineData("kamune.app-version = \"0.8.0\"", "got \"0.8.0\"")]
    [InlineData("kamune.app-version = [0, 7, 0]", "got a list or object")]
    public void A_config_that_asks_for_another_app_version_fails_naming_the_key(string hocon, string got)
    {
        var error = Assert.Throws<ConfigurationException>(() => KamuneSettings.Create(ConfigurationFactory.ParseString(hocon)));

        Assert.Equal($"kamune.app-version: expected no value (the protocol version announced is 0.7.0, not a setting), {got}", error.Message);
    }

    [Fact]
    public void An_empty_dispatcher_id_fails_naming_the_key()
    {
        var error = Assert.Throws<ConfigurationException>(() => KamuneSettings.Create(ConfigurationFactory.ParseString("kamune.dispatcher = \"\"")));

        Assert.StartsWith("kamune.dispatcher: expected a dispatcher id", error.Message, StringComparison.Ordinal);
    }
}

namespace Kamune.Tests.Configuration;

// Issue 17 item 6: kamune.app-version is no longer a setting. A config that still states the protocol's own version
// starts Kamune, with one warning naming the key (any other value fails, KamuneSettingsShapeTests).
public sealed class ObsoleteAppVersionTests : Akka.TestKit.Xunit2.TestKit
{
    public ObsoleteAppVersionTests()
        : base("kamune.app-version = \"0.7.0\"")
    {
    }

    [Fact]
    public void A_config_that_still_sets_app_version_to_the_protocol_version_starts_Kamune_with_one_warning_naming_the_key()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x74));

        var kamune = EventFilter.Warning(contains: "kamune.app-version is obsolete and ignored: Kamune announces protocol version 0.7.0")
            .ExpectOne(() => KamuneExtension.Configure(Sys, new KamuneNodeOptions(key, AcceptAllVerifier.Instance)));

        Assert.NotNull(kamune.Manager);
        Shutdown();
    }
}

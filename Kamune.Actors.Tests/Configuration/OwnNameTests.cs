using Akka.Actor;
using Akka.Configuration;

namespace Kamune.Tests.Configuration;

// kamune.name is checked against the rules every peer applies to an Introduce (PeerName) when Kamune starts: a name
// that would get every session refused at the far end fails here, naming the key.
public sealed class OwnNameTests
{
    [Fact]
    public void A_name_that_shows_another_keys_fingerprint_fails_the_start_naming_kamune_name()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x61));
        using var other = IdentityKeyPair.Generate(new DeterministicRandomSource(0x62));
        var config = ConfigurationFactory.ParseString($"kamune.name = \"{other.PublicIdentity.Fingerprint.Base64}\"");

        var error = Record.Exception(() => KamuneSystem.Create("own-name-refused", new KamuneNodeOptions(key, AcceptAllVerifier.Instance), config).Dispose());

        var named = Assert.IsType<ConfigurationException>(Innermost(error, e => e is ConfigurationException));
        Assert.StartsWith("kamune.name: expected a name peers accept, got one they refuse", named.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plain_name_and_the_default_fingerprint_name_start()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(0x63));
        foreach (var config in new[] { "kamune.name = alice", "kamune.name = \"\"" })
        {
            using var system = KamuneSystem.Create("own-name-ok", new KamuneNodeOptions(key, AcceptAllVerifier.Instance), ConfigurationFactory.ParseString(config));
            Assert.NotNull(KamuneExtension.Get(system).Manager);
            await system.Terminate();
        }
    }

    private static Exception? Innermost(Exception? error, Func<Exception, bool> match)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (match(e))
            {
                return e;
            }
        }

        return error;
    }
}

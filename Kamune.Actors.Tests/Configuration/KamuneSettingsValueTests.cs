using Akka.Configuration;

namespace Kamune.Tests.Configuration;

// Issue 17 item 7: a value of the wrong kind is named by its key, with what was expected and what was found, by the
// library itself (KamuneSettings.Create), not only by kamune-node. The kinds come from hocon/reference.conf.
public sealed class KamuneSettingsValueTests
{
    [Theory]
    [InlineData("kamune.send-window = banana", "kamune.send-window: expected an integer, got \"banana\"")]
    [InlineData("kamune.handshake-timeout = banana", "kamune.handshake-timeout: expected a duration (for example 30s), got \"banana\"")]
    [InlineData("kamune.keep-alive-interval = sometimes", "kamune.keep-alive-interval: expected off or a duration (for example 30s), got \"sometimes\"")]
    [InlineData("kamune.listen-backlog = [1, 2]", "kamune.listen-backlog: expected an integer, got a list")]
    public void A_value_of_the_wrong_kind_is_named_by_its_key(string hocon, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => KamuneSettings.Create(ConfigurationFactory.ParseString(hocon)));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Values_of_the_right_kind_are_read_as_before()
    {
        var settings = KamuneSettings.Create(ConfigurationFactory.ParseString(
            "kamune { send-window = 32, handshake-timeout = 2s, keep-alive-interval = 15s, name = \"n\" }"));

        Assert.Equal((32, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15), "n"),
            (settings.SendWindow, settings.HandshakeTimeout, settings.KeepAliveInterval, settings.Name));
    }
}

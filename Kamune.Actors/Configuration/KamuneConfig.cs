using Akka.Configuration;

namespace Kamune;

/// <summary>The embedded reference configuration (hocon/reference.conf).</summary>
public static class KamuneConfig
{
    private static readonly Lazy<Config> Reference =
        new(() => ConfigurationFactory.FromResource("Kamune.reference.conf", typeof(KamuneConfig).Assembly));

    /// <summary>
    /// The defaults for every <c>kamune</c> key. The extension injects it as the ActorSystem's top-level fallback when
    /// it starts, so <c>system.Settings.Config</c> answers every <c>kamune.*</c> key; a node's own config overrides it.
    /// </summary>
    public static Config Default => Reference.Value;
}

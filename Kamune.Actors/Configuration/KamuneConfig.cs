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

    /// <summary>
    /// <paramref name="config"/> over <see cref="Default"/>. Null, empty or the reference itself is the reference as it
    /// is: Akka's WithFallback refuses a config as its own fallback, so KamuneConfig.Default passed in must not get it.
    /// </summary>
    internal static Config OverDefault(Config? config) =>
        config is null || config.IsEmpty || ReferenceEquals(config, Default) ? Default : config.WithFallback(Default);
}

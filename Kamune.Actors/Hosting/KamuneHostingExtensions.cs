using Akka.Configuration;
using Akka.Hosting;
using Kamune.Actors.Configuration;

namespace Kamune.Actors.Hosting;

/// <summary>Registry key for the Kamune manager in Akka.Hosting's ActorRegistry (<c>IRequiredActor&lt;KamuneManagerKey&gt;</c>).</summary>
public sealed class KamuneManagerKey
{
    private KamuneManagerKey()
    {
    }
}

/// <summary>Akka.Hosting registration: Kamune in a Microsoft.Extensions.Hosting application.</summary>
public static class KamuneHostingExtensions
{
    /// <summary>
    /// Adds the Kamune reference config as a fallback, <paramref name="kamuneConfig"/> (if any) over it, starts the
    /// extension with the options <paramref name="options"/> builds from the service provider, and registers the
    /// manager under <see cref="KamuneManagerKey"/>.
    /// </summary>
    public static AkkaConfigurationBuilder WithKamune(
        this AkkaConfigurationBuilder builder,
        Func<IServiceProvider, KamuneNodeOptions> options,
        Config? kamuneConfig = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.AddHocon(KamuneConfig.Default, HoconAddMode.Append);
        if (kamuneConfig is not null)
        {
            builder.AddHocon(kamuneConfig, HoconAddMode.Prepend);
        }

        return builder.WithActors((system, registry, resolver) =>
        {
            var provider = resolver.GetService<IServiceProvider>();
            var extension = KamuneExtension.Configure(system, options(provider));
            registry.Register<KamuneManagerKey>(extension.Manager);
        });
    }
}

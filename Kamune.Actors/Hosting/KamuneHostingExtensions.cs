using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kamune.Hosting;

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
    // Builders WithKamune already ran on: one node per ActorSystem, as KamuneExtension.Configure insists.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AkkaConfigurationBuilder, KamuneOptions> Configured = new();

    /// <summary>
    /// Makes the node that <c>WithKamune</c> starts available as <see cref="IKamuneNode"/>. A separate call because
    /// Akka.Hosting's builder does not give extensions its service collection (as of 1.5.74).
    /// </summary>
    public static IServiceCollection AddKamuneNode(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(provider => new KamuneNode(provider));
        services.TryAddSingleton<IKamuneNode>(provider => provider.GetRequiredService<KamuneNode>());
        return services;
    }

    /// <summary>Adds Kamune to this ActorSystem with the options <paramref name="configure"/> fills in (see <see cref="KamuneOptions"/>).</summary>
    public static AkkaConfigurationBuilder WithKamune(this AkkaConfigurationBuilder builder, Action<KamuneOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new KamuneOptions();
        configure(options);
        return builder.WithKamune(options);
    }

    /// <summary>
    /// Adds the Kamune reference config as a fallback and <see cref="KamuneOptions.Config"/> over it, and a
    /// <see cref="KamuneSetup"/> (<c>AddSetup</c>) whose identity and verifier are resolved when the ActorSystem starts;
    /// then starts the extension from it (<see cref="KamuneExtension.Get"/>) and registers the manager under <see cref="KamuneManagerKey"/>; once every
    /// <c>WithActors</c> has run, resolves the handlers, binds the listeners (a failure fails the host's start) and
    /// starts the dials. Stopping the host closes every session gracefully (KamuneExtension's CoordinatedShutdown task).
    /// </summary>
    public static AkkaConfigurationBuilder WithKamune(this AkkaConfigurationBuilder builder, KamuneOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Identity is not null == options.IdentityFactory is not null)
        {
            throw new ArgumentException(
                "Kamune options: expected exactly one of Identity (yours to dispose) and IdentityFactory (Kamune's), got " +
                (options.Identity is null ? "neither" : "both"), nameof(options));
        }

        if (!Configured.TryAdd(builder, options))
        {
            throw new InvalidOperationException(
                "Kamune: expected one WithKamune per ActorSystem, got a second one; put every listen and dial in the first");
        }

        builder.AddHocon(KamuneConfig.Default, HoconAddMode.Append);
        if (options.Config is not null)
        {
            builder.AddHocon(options.Config, HoconAddMode.Prepend);
        }

        // The identity and verifier may come from the service provider, which exists only once the ActorSystem is being
        // created: the setup resolves them then, through the system's dependency resolver.
        builder.AddSetup(KamuneSetup.Create(system => NodeOptions(system, ServiceProvider(system), options)));
        KamuneNode? node = null;
        return builder
            .WithActors((system, registry, resolver) =>
            {
                var provider = resolver.GetService<IServiceProvider>();
                node = provider.GetService<KamuneNode>() ?? new KamuneNode(provider);
                try
                {
                    var extension = KamuneExtension.Get(system);
                    registry.Register<KamuneManagerKey>(extension.Manager);
                }
                catch (Exception e)
                {
                    node.Fail(e);
                    throw;
                }
            })
            .AddStartup(async (system, registry) =>
            {
                var started = node ?? throw new InvalidOperationException("Kamune: expected WithKamune's actors to have started first");
                try
                {
                    await StartAsync(system, registry, options, started).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    started.Fail(e);
                    throw;
                }
            });
    }

    /// <summary>Whether WithKamune ran on <paramref name="builder"/> (KamuneNode: will anything ever start it?).</summary>
    internal static bool HasKamune(AkkaConfigurationBuilder builder) => Configured.TryGetValue(builder, out _);

    private static IServiceProvider ServiceProvider(ActorSystem system) =>
        DependencyResolver.For(system).Resolver.GetService<IServiceProvider>();

    private static KamuneNodeOptions NodeOptions(ActorSystem system, IServiceProvider provider, KamuneOptions options)
    {
        var verifier = options.Verifier ?? provider.GetService<IIdentityVerifier>() ?? throw new InvalidOperationException(
            "Kamune options: expected a Verifier, or an IIdentityVerifier in the service provider, got neither " +
            "(AcceptAllVerifier.Instance accepts every key; AllowListVerifier pins them)");
        IdentityKeyPair identity;
        if (options.Identity is not null)
        {
            identity = options.Identity;
        }
        else
        {
            identity = options.IdentityFactory!(provider);
            // Termination callbacks run once every actor has stopped and before WhenTerminated completes, so no
            // session can sign with the key afterwards, and a host's StopAsync returns with it wiped.
            var owned = identity;
            system.RegisterOnTermination(owned.Dispose);
        }

        return new KamuneNodeOptions(identity, verifier, options.Random, options.Clock);
    }

    private static async Task StartAsync(ActorSystem system, IReadOnlyActorRegistry registry, KamuneOptions options, KamuneNode node)
    {
        var extension = KamuneExtension.Get(system);
        // One actor per KamuneHandler, however many endpoints name it (FromProps creates its actor here).
        var resolved = new Dictionary<KamuneHandler, IActorRef>(ReferenceEqualityComparer.Instance);
        IActorRef? Resolve(KamuneHandler? handler)
        {
            if (handler is null)
            {
                return null;
            }

            if (!resolved.TryGetValue(handler, out var actor))
            {
                actor = handler.Resolve(system, registry);
                resolved[handler] = actor;
            }

            return actor;
        }

        var fallback = Resolve(options.Handler);
        IActorRef HandlerOf(KamuneEndpoint endpoint, string what) => Resolve(endpoint.Handler) ?? fallback ?? throw new InvalidOperationException(
            $"Kamune {what} {endpoint.Host}:{endpoint.Port}: expected a handler on the endpoint or in KamuneOptions.Handler, got neither");

        var listens = options.ListenEndpoints.Select(endpoint => (endpoint, HandlerOf(endpoint, "listen"))).ToList();
        var dials = options.DialEndpoints.Select(endpoint => (endpoint, HandlerOf(endpoint, "dial"))).ToList();
        await node.StartAsync(system, extension, fallback, listens, CancellationToken.None).ConfigureAwait(false);
        foreach (var (endpoint, handler) in dials)
        {
            // Told with the handler as sender: the manager answers it (DialConnected or DialFailed), and the start goes on.
            extension.Manager.Tell(new DialPeer(endpoint.Host, endpoint.Port, handler), handler);
        }
    }
}

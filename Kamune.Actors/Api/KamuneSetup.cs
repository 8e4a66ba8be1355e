using Akka.Actor;
using Akka.Actor.Setup;

namespace Kamune;

/// <summary>
/// What Kamune needs that configuration cannot say (the node's identity, verifier, randomness and clock: a
/// <see cref="KamuneNodeOptions"/>), given to the ActorSystem when it is created, as Akka's own extensions take
/// theirs: <c>ActorSystem.Create(name, BootstrapSetup.Create().WithConfig(config).And(new KamuneSetup(options)))</c>.
/// <see cref="KamuneExtension.Get"/> then starts Kamune on first use; Akka.Hosting's <c>WithKamune</c> adds one with
/// <c>AddSetup</c>.
/// </summary>
public sealed class KamuneSetup : Setup
{
    private readonly Func<ExtendedActorSystem, KamuneNodeOptions> _options;

    /// <summary>Kamune with <paramref name="options"/>, passed to the extension as they are.</summary>
    public KamuneSetup(KamuneNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = _ => options;
    }

    private KamuneSetup(Func<ExtendedActorSystem, KamuneNodeOptions> options) => _options = options;

    /// <summary>
    /// Kamune with the options <paramref name="options"/> returns when the extension starts, given the system it
    /// starts in (to resolve services, or to register the disposal of an identity it creates; compare Akka's
    /// <c>SerializationSetup.Create</c>). Called once per ActorSystem.
    /// </summary>
    public static KamuneSetup Create(Func<ExtendedActorSystem, KamuneNodeOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new KamuneSetup(options);
    }

    internal KamuneNodeOptions OptionsFor(ExtendedActorSystem system) =>
        _options(system) ?? throw new InvalidOperationException(
            $"KamuneSetup: expected its options function to return KamuneNodeOptions, got null for system \"{system.Name}\"");
}

/// <summary>
/// The extension id of Kamune, for Akka's own ways of starting an extension (<c>system.WithExtension&lt;KamuneExtension,
/// KamuneExtensionProvider&gt;()</c>, <c>akka.extensions</c>): it starts Kamune with the system's
/// <see cref="KamuneSetup"/>, and fails naming it when the system has none.
/// </summary>
public sealed class KamuneExtensionProvider : ExtensionIdProvider<KamuneExtension>
{
    /// <summary>
    /// Starts Kamune in <paramref name="system"/> from its <see cref="KamuneSetup"/>; Akka calls it once per system.
    /// Throws <see cref="InvalidOperationException"/> when the system has no KamuneSetup.
    /// </summary>
    public override KamuneExtension CreateExtension(ExtendedActorSystem system) =>
        new(system, KamuneExtension.SetupOf(system)?.OptionsFor(system) ?? throw KamuneExtension.NoSetup(system));
}

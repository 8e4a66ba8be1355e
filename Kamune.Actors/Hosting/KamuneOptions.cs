using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;

namespace Kamune.Hosting;

/// <summary>
/// Kamune under Akka.Hosting, declared in the builder (<c>builder.WithKamune(options => ...)</c>) the way
/// Akka.Remote.Hosting declares remoting: who this node is, whom it trusts, where it listens and whom it dials.
/// Listens are bound and dials started when the ActorSystem starts; an application asks for more through
/// <see cref="IKamuneNode"/>.
/// </summary>
public sealed class KamuneOptions
{
    /// <summary>
    /// This node's identity, owned by the caller: Kamune never disposes it. Dispose it after the host is disposed
    /// (the ActorSystem has terminated by then, so no session signs with it any more). Set this or
    /// <see cref="IdentityFactory"/>, not both.
    /// </summary>
    public IdentityKeyPair? Identity { get; set; }

    /// <summary>
    /// Creates this node's identity when the ActorSystem starts; Kamune owns what it returns and disposes it (its
    /// secret wiped) once the ActorSystem has terminated, that is before <c>IHost.StopAsync</c> returns.
    /// </summary>
    public Func<IServiceProvider, IdentityKeyPair>? IdentityFactory { get; set; }

    /// <summary>Decides on every remote identity. Null: the <see cref="IIdentityVerifier"/> registered in the service provider.</summary>
    public IIdentityVerifier? Verifier { get; set; }

    /// <summary>Randomness for keys and nonces; null is the operating system's. Tests inject a deterministic one.</summary>
    public IRandomSource? Random { get; set; }

    /// <summary>Timestamps of envelopes; null is the system clock.</summary>
    public IClock? Clock { get; set; }

    /// <summary>HOCON over the Kamune reference config (<c>kamune { ... }</c>), for settings such as <c>kamune.send-window</c>.</summary>
    public Config? Config { get; set; }

    /// <summary>The handler of every listen and dial that does not name its own (options or <see cref="IKamuneNode"/>).</summary>
    public KamuneHandler? Handler { get; set; }

    /// <summary>Listeners bound when the ActorSystem starts; a failure to bind fails the host's start.</summary>
    public IList<KamuneEndpoint> ListenEndpoints { get; } = new List<KamuneEndpoint>();

    /// <summary>
    /// Peers dialed once the ActorSystem has started. A dial does not hold up the start: its handler is told the
    /// manager's answer (<see cref="DialConnected"/> or <see cref="DialFailed"/>), then the session's events.
    /// </summary>
    public IList<KamuneEndpoint> DialEndpoints { get; } = new List<KamuneEndpoint>();

    /// <summary>Adds a listener on <paramref name="host"/>:<paramref name="port"/> (port 0: the OS picks one).</summary>
    public KamuneOptions AddListen(string host, int port, KamuneHandler? handler = null)
    {
        ListenEndpoints.Add(new KamuneEndpoint(host, port, handler));
        return this;
    }

    /// <summary>Adds a peer to dial when the ActorSystem has started.</summary>
    public KamuneOptions AddDial(string host, int port, KamuneHandler? handler = null)
    {
        DialEndpoints.Add(new KamuneEndpoint(host, port, handler));
        return this;
    }
}

/// <summary>A host and port to listen on or dial, with its own handler or (null) <see cref="KamuneOptions.Handler"/>.</summary>
public sealed record KamuneEndpoint(string Host, int Port, KamuneHandler? Handler = null);

/// <summary>
/// Where the session events of a listen or dial go (<see cref="SessionEstablished"/>, <see cref="MessageReceived"/>,
/// <see cref="SessionClosed"/>): an actor of the ActorRegistry, one created from Props, or a given actor.
/// Resolved once, when the ActorSystem has started and every <c>WithActors</c> has run.
/// </summary>
public abstract class KamuneHandler
{
    private protected KamuneHandler()
    {
    }

    /// <summary>The actor registered in the ActorRegistry under <typeparamref name="TKey"/> (as for <c>IRequiredActor&lt;TKey&gt;</c>).</summary>
    public static KamuneHandler FromRegistry<TKey>() => new Registered(typeof(TKey));

    /// <summary>A top-level actor created from <paramref name="props"/> as <c>/user/<paramref name="name"/></c>, once per handler.</summary>
    public static KamuneHandler FromProps(Props props, string name)
    {
        ArgumentNullException.ThrowIfNull(props);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new Created(props, name);
    }

    /// <summary>An actor the application already has.</summary>
    public static KamuneHandler FromActor(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        return new Given(actor);
    }

    internal abstract IActorRef Resolve(ActorSystem system, IReadOnlyActorRegistry registry);

    private sealed class Registered(Type key) : KamuneHandler
    {
        internal override IActorRef Resolve(ActorSystem system, IReadOnlyActorRegistry registry) =>
            registry.TryGet(key, out var actor) && actor is not null
                ? actor
                : throw new InvalidOperationException(
                    $"Kamune handler: expected an actor registered under {key.Name} in the ActorRegistry " +
                    $"(WithActors: registry.Register<{key.Name}>(actor)), got none");

        public override string ToString() => $"registry key {key.Name}";
    }

    private sealed class Created(Props props, string name) : KamuneHandler
    {
        internal override IActorRef Resolve(ActorSystem system, IReadOnlyActorRegistry registry) => system.ActorOf(props, name);

        public override string ToString() => $"/user/{name}";
    }

    private sealed class Given(IActorRef actor) : KamuneHandler
    {
        internal override IActorRef Resolve(ActorSystem system, IReadOnlyActorRegistry registry) => actor;

        public override string ToString() => actor.Path.ToString();
    }
}

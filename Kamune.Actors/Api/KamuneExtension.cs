using System.Net;
using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Kamune.Actors.Runtime;
using Kamune.Protocol;

namespace Kamune;

/// <summary>
/// What a node brings that configuration cannot: its identity and its trust decision. Randomness and the clock
/// default to the operating system's; tests inject deterministic ones (protocol.md "goes further").
/// </summary>
/// <param name="Identity">Signs every envelope; owned by the caller, who disposes it after the ActorSystem terminates.</param>
/// <param name="Verifier">Accepts or rejects each remote identity (both roles).</param>
/// <param name="Random">Every random byte the node's sessions use (keys, nonces, padding); null: <see cref="SystemRandomSource"/>.</param>
/// <param name="Clock">The wall clock for message timestamps; null: <see cref="SystemClock"/>.</param>
public sealed record KamuneNodeOptions(
    IdentityKeyPair Identity,
    IIdentityVerifier Verifier,
    IRandomSource? Random = null,
    IClock? Clock = null)
{
    /// <summary>
    /// Sees every frame this node's TCP connections write and read (<see cref="IFrameObserver"/>), for a golden
    /// transcript from a real node; null (the default): nothing is observed and nothing is paid for it.
    /// </summary>
    public IFrameObserver? FrameObserver { get; init; }

    // For tests that play a peer every node refuses (a name showing another key's fingerprint): skips the start's
    // own-name check, so the far end's refusal can be tested.
    internal bool AllowRefusedName { get; init; }
}

/// <summary>
/// Kamune inside an ActorSystem. Give the system a <see cref="KamuneSetup"/> when you create it (Akka.Hosting's
/// <c>WithKamune</c> does), then <c>KamuneExtension.Get(system)</c> anywhere, like any Akka extension; for a system
/// created without one, <see cref="Configure"/> once. <see cref="Manager"/> takes <see cref="BindListener"/>,
/// <see cref="DialPeer"/> and <see cref="UnbindListener"/>; session events go to the handler each of those names.
/// </summary>
public sealed class KamuneExtension : IExtension
{
    internal KamuneExtension(ExtendedActorSystem system, KamuneNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options.Identity);
        ArgumentNullException.ThrowIfNull(options.Verifier);
        Options = options;
        // Once per system, as Akka's own extensions do with their reference config: every kamune.* key then has its
        // default in system.Settings.Config, whoever built the system and its config.
        system.Settings.InjectTopLevelFallback(KamuneConfig.Default);
        Settings = KamuneSettings.Create(system);
        if (!system.Dispatchers.HasDispatcher(Settings.Dispatcher))
        {
            throw new ConfigurationException(
                $"kamune.dispatcher: expected the id of a dispatcher defined in the config, got \"{Settings.Dispatcher}\"");
        }

        if (system.Settings.Config.HasPath("kamune.app-version"))
        {
            // KamuneSettings refused any other value: this one states the protocol's own version.
            system.Log.Warning("kamune.app-version is obsolete and ignored: Kamune announces protocol version {0}", ProtocolVersion.Current);
        }

        if (!options.AllowRefusedName)
        {
            CheckOwnName(Settings.Name, options.Identity);
        }

        StartScheduler(system);
        var manager = KamuneManager.Props(Settings, PeerSessions(Settings, options), ExchangeFirstFrames.Kamune, frames: options.FrameObserver);
        Manager = system.SystemActorOf(KamuneGuardian.Props(manager), "kamune");
        // ActorSystem.Terminate() and CoordinatedShutdown.Run close the sessions gracefully before anything unbinds.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "kamune-graceful-stop", async () =>
        {
            try
            {
                await ShutdownAsync(Settings.ShutdownTimeout).ConfigureAwait(false);
            }
            catch (KamuneNodeException)
            {
                // The manager stops what is left at its own deadline; the system's termination goes on regardless.
            }

            return Done.Instance;
        });
    }

    /// <summary>The kamune.* configuration of this system, read once when the extension started.</summary>
    public KamuneSettings Settings { get; }

    /// <summary>The options this node was started with: its identity, verifier, randomness and clock.</summary>
    public KamuneNodeOptions Options { get; }

    /// <summary>The node's manager: takes the node messages for the actor that is parent of its listeners, connections and sessions.</summary>
    public IActorRef Manager { get; }

    /// <summary>
    /// Starts Kamune in <paramref name="system"/> with <paramref name="options"/>: a convenience for a system created
    /// without a <see cref="KamuneSetup"/> (one that has a setup starts from it on <see cref="Get"/>). Call it once,
    /// before anything calls <see cref="Get"/>; configuring again with other options is a programming error.
    /// </summary>
    public static KamuneExtension Configure(ActorSystem system, KamuneNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(options);
        var extension = (KamuneExtension)system.RegisterExtension(new Provider(options));
        if (!ReferenceEquals(extension.Options, options))
        {
            throw new InvalidOperationException(
                $"Kamune: expected one configuration per ActorSystem, got a second one for system \"{system.Name}\"");
        }

        return extension;
    }

    /// <summary>
    /// The Kamune of <paramref name="system"/>, started on first use from the system's <see cref="KamuneSetup"/>
    /// (or earlier by <see cref="Configure"/>). Throws <see cref="InvalidOperationException"/> naming what to add
    /// when the system has neither.
    /// </summary>
    public static KamuneExtension Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        // Checked before the extension registry is asked: it caches a failed start, which would then also fail a
        // later Configure.
        return system.HasExtension<KamuneExtension>() || SetupOf(system) is not null
            ? system.WithExtension<KamuneExtension, KamuneExtensionProvider>()
            : throw NoSetup(system);
    }

    internal static KamuneSetup? SetupOf(ActorSystem system) =>
        system.Settings.Setup.Get<KamuneSetup>() is { HasValue: true } setup ? setup.Value : null;

    internal static InvalidOperationException NoSetup(ActorSystem system) => new(
        $"Kamune: expected a KamuneSetup in the ActorSystemSetup of system \"{system.Name}\" "
        + "(ActorSystem.Create(name, BootstrapSetup.Create().And(new KamuneSetup(options))), or WithKamune under Akka.Hosting), "
        + "or KamuneExtension.Configure(system, options) before Get; got neither");

    /// <summary>
    /// Binds a listener; returns the bound address (useful with port 0). Throws <see cref="KamuneNodeException"/> if it
    /// cannot bind, or if no answer came within kamune.request-timeout.
    /// </summary>
    public async Task<EndPoint> ListenAsync(string host, int port, IActorRef handler, CancellationToken cancellationToken = default)
    {
        var reply = await RequestAsync(new BindListener(host, port, handler), $"listen on {host}:{port}", cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            ListenerBound listening => listening.LocalAddress,
            BindListenerFailed failed => throw new KamuneNodeException($"listen on {failed.Host}:{failed.Port} failed: {failed.Reason}"),
            _ => throw new KamuneNodeException($"listen: expected ListenerBound or BindListenerFailed, got {reply.GetType().Name}"),
        };
    }

    /// <summary>
    /// Unbinds the listener at <paramref name="localAddress"/> (see <see cref="UnbindListener"/>); returns once its port
    /// is closed, or at once when nothing is bound there. Throws <see cref="KamuneNodeException"/> if no answer came
    /// within kamune.request-timeout.
    /// </summary>
    public async Task UnbindAsync(EndPoint localAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        var reply = await RequestAsync(new UnbindListener(localAddress), $"unbind {localAddress}", cancellationToken).ConfigureAwait(false);
        if (reply is not ListenerUnbound)
        {
            throw new KamuneNodeException($"unbind: expected ListenerUnbound, got {reply.GetType().Name}");
        }
    }

    /// <summary>
    /// Dials a Kamune node; returns once TCP is connected and the session is handshaking. Throws
    /// <see cref="KamuneNodeException"/> if the dial fails, or if no answer came within kamune.request-timeout.
    /// </summary>
    public async Task<DialConnected> DialAsync(string host, int port, IActorRef handler, CancellationToken cancellationToken = default)
    {
        var reply = await RequestAsync(new DialPeer(host, port, handler), $"dial {host}:{port}", cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            DialConnected dialing => dialing,
            DialFailed failed => throw new KamuneNodeException($"dial {failed.Host}:{failed.Port} failed: {failed.Reason}"),
            _ => throw new KamuneNodeException($"dial: expected DialConnected or DialFailed, got {reply.GetType().Name}"),
        };
    }

    // The system's ask timeout is infinite by default: a request the node never answered would wait forever.
    private async Task<object> RequestAsync(object request, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await Manager.Ask<object>(request, Settings.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new KamuneNodeException(
                $"{what}: expected an answer within kamune.request-timeout ({Settings.RequestTimeout.TotalSeconds:0.###} s), got none");
        }
    }

    /// <summary>
    /// Stops the node gracefully (see <see cref="ShutdownNode"/>): CLOSE_TRANSPORT on every session, connections
    /// flushed and closed, then listeners unbound; what is still open after <paramref name="timeout"/> is stopped.
    /// Throws <see cref="KamuneNodeException"/>, like the other calls, if the manager has not answered 5 s after
    /// <paramref name="timeout"/> (it stops what is left at <paramref name="timeout"/>, so that means it is gone).
    /// </summary>
    public async Task ShutdownAsync(TimeSpan timeout)
    {
        var wait = timeout + TimeSpan.FromSeconds(5);
        try
        {
            await Manager.Ask<NodeShutdownCompleted>(new ShutdownNode(timeout), wait).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new KamuneNodeException(
                $"shutdown: expected NodeShutdownCompleted within {wait.TotalSeconds:0.###} s (the timeout and 5 s), got none");
        }
    }

    // A kamune.name every peer would refuse (PeerName's rules, applied to each inbound Introduce) fails the start here,
    // naming the key, instead of every session's handshake at the far end later.
    private static void CheckOwnName(string name, IdentityKeyPair identity)
    {
        try
        {
            PeerName.Validate(name.Length > 0 ? name : identity.PublicIdentity.Fingerprint.Base64, identity.PublicIdentity);
        }
        catch (KamuneProtocolException e)
        {
            throw new ConfigurationException($"kamune.name: expected a name peers accept, got one they refuse: {e.Message}");
        }
    }

    // Akka's scheduler starts on its first use, and that first call (and every call made before its tick loop runs)
    // blocks its thread until the loop has started on a thread-pool thread. Left to the first connection, a burst
    // of dials had every writer's dial timer block a pool thread while the loop waited in the queue behind them:
    // the whole process stalled for up to minutes (docs/reliability.md, finding 4). Started here, before any Kamune
    // actor exists, it costs one short wait on the configuring thread.
    private static void StartScheduler(ActorSystem system) =>
        system.Scheduler.Advanced.ScheduleOnce(TimeSpan.Zero, static () => { });

    // One PeerActor per connection, built from the node's options and the typed settings (PeerSettings: as a test's), on
    // kamune.dispatcher (its cipher and replay guard follow it there). Introduce announces the protocol's own version.
    internal static SessionPropsFactory PeerSessions(KamuneSettings settings, KamuneNodeOptions options)
    {
        var session = PeerSettings.From(settings);
        var random = options.Random ?? SystemRandomSource.Instance;
        var clock = options.Clock ?? SystemClock.Instance;
        return connection => PeerActor.Props(session.Options(
            connection.Dialed ? SessionRole.Initiator : SessionRole.Responder,
            connection.Connection,
            connection.Handler,
            options.Identity,
            connection.Verifier ?? options.Verifier,
            random,
            clock,
            connection.RemoteAddress) with { ParentIsManager = true }).WithDispatcher(settings.Dispatcher);
    }

    private sealed class Provider(KamuneNodeOptions options) : ExtensionIdProvider<KamuneExtension>
    {
        public override KamuneExtension CreateExtension(ExtendedActorSystem system) => new(system, options);
    }
}

/// <summary>Creates ActorSystems with Kamune configured, for applications that do not bring their own.</summary>
public static class KamuneSystem
{
    /// <summary>
    /// A new ActorSystem whose config is <paramref name="config"/> over the Kamune reference, with a
    /// <see cref="KamuneSetup"/> of <paramref name="options"/>, and Kamune started. <paramref name="config"/> may be
    /// <see cref="KamuneConfig.Default"/> itself, or a config that already falls back on it.
    /// </summary>
    public static ActorSystem Create(string name, KamuneNodeOptions options, Config? config = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The reference goes in at creation too (not only as the extension's fallback): its akka.coordinated-shutdown
        // phase timeout must be there before anything reads the phases.
        var system = ActorSystem.Create(
            name, BootstrapSetup.Create().WithConfig(KamuneConfig.OverDefault(config)).And(new KamuneSetup(options)));
        KamuneExtension.Get(system);
        return system;
    }
}

/// <summary>A node-level request (listen, dial) failed; the message says what was expected and what happened.</summary>
public sealed class KamuneNodeException(string message) : Exception(message);

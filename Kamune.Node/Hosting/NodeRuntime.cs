using Akka.Actor;
using Kamune.Node.Cli;

namespace Kamune.Node.Hosting;

/// <summary>
/// One node inside this process: an ActorSystem on the node's configuration, the Kamune runtime with this node's
/// identity and verifier, and the manager that Listen and Dial go to. The demo runs two of these side by side.
/// </summary>
internal sealed class NodeRuntime : IAsyncDisposable
{
    private NodeRuntime(ActorSystem system, IActorRef manager, IdentityKeyPair identity)
    {
        System = system;
        Manager = manager;
        Identity = identity;
    }

    public ActorSystem System { get; }

    public IActorRef Manager { get; }

    public IdentityKeyPair Identity { get; }

    /// <summary>Starts the runtime; the identity stays owned by the caller.</summary>
    public static NodeRuntime Start(string name, NodeConfig config, IdentityKeyPair identity, IIdentityVerifier verifier)
    {
        var system = ActorSystem.Create(name, NodeLogging.ForActorSystem(config.Root));
        var kamune = KamuneExtension.Configure(system, new KamuneNodeOptions(identity, verifier));
        return new NodeRuntime(system, kamune.Manager, identity);
    }

    /// <summary>Binds a listener for <paramref name="handler"/>'s sessions; the bound address, or a clear error.</summary>
    public async Task<string> ListenAsync(PeerAddress address, IActorRef handler, TimeSpan timeout)
    {
        var reply = await Manager.Ask<object>(new BindListener(address.Host, address.Port, handler), timeout).ConfigureAwait(false);
        return reply switch
        {
            ListenerBound listening => Bound(listening.LocalAddress),
            BindListenerFailed failed => throw new NodeException($"cannot listen on {address}: {failed.Reason}"),
            _ => throw new NodeException($"cannot listen on {address}: expected ListenerBound or BindListenerFailed, got {reply.GetType().Name}"),
        };
    }

    /// <summary>
    /// Stops Kamune gracefully through the library (KamuneExtension.ShutdownAsync): CLOSE_TRANSPORT on every session,
    /// every connection flushed before any listener unbinds, bounded by <paramref name="timeout"/>.
    /// </summary>
    public async Task DrainConnectionsAsync(TimeSpan timeout)
    {
        try
        {
            await KamuneExtension.Get(System).ShutdownAsync(timeout).ConfigureAwait(false);
        }
        catch (KamuneNodeException)
        {
            Serilog.Log.Warning("Kamune did not stop within {Timeout}; stopping anyway", timeout);
        }
    }

    private static string Bound(System.Net.EndPoint address) => PeerAddress.Format(address);

    public async ValueTask DisposeAsync()
    {
        await System.Terminate().ConfigureAwait(false);
    }
}

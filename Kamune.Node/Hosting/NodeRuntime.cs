using Akka.Actor;
using Kamune.Actors;
using Kamune.Identity;
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

    private readonly List<System.Net.EndPoint> _listeners = new();

    /// <summary>Starts the runtime; the identity stays owned by the caller.</summary>
    public static NodeRuntime Start(string name, NodeConfig config, IdentityKeyPair identity, IIdentityVerifier verifier)
    {
        var system = ActorSystem.Create(name, config.Root);
        var kamune = KamuneExtension.Configure(system, new KamuneNodeOptions(identity, verifier));
        return new NodeRuntime(system, kamune.Manager, identity);
    }

    /// <summary>Binds a listener for <paramref name="handler"/>'s sessions; the bound address, or a clear error.</summary>
    public async Task<string> ListenAsync(PeerAddress address, IActorRef handler, TimeSpan timeout)
    {
        var reply = await Manager.Ask<object>(new Listen(address.Host, address.Port, handler), timeout).ConfigureAwait(false);
        return reply switch
        {
            Listening listening => Bound(listening.LocalAddress),
            ListenFailed failed => throw new NodeException($"cannot listen on {address}: {failed.Reason}"),
            _ => throw new NodeException($"cannot listen on {address}: expected Listening or ListenFailed, got {reply.GetType().Name}"),
        };
    }

    /// <summary>
    /// Waits (bounded) until the manager has no connection writer left, so frames already queued, CLOSE_TRANSPORT
    /// above all, reach the socket before the ActorSystem stops: terminating with a writer still flushing turns a
    /// graceful close into a reset that the peer reports as connection_lost. Listeners are unbound only after
    /// that, because Akka.IO ends a listener's accepted sockets with it.
    /// </summary>
    public async Task DrainConnectionsAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        if (!await WritersGoneAsync(deadline).ConfigureAwait(false))
        {
            Serilog.Log.Warning("Connections still open after {Timeout}; stopping anyway", timeout);
        }

        System.Net.EndPoint[] listeners;
        lock (_listeners)
        {
            listeners = _listeners.ToArray();
            _listeners.Clear();
        }

        foreach (var listener in listeners)
        {
            try
            {
                await Manager.Ask<Unbound>(new Unbind(listener), timeout).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                Serilog.Log.Warning("Listener {Address} did not unbind within {Timeout}", listener, timeout);
            }
        }
    }

    private async Task<bool> WritersGoneAsync(DateTime deadline)
    {
        var writers = System.ActorSelection(Manager.Path / "connection-*");
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await writers.ResolveOne(TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
            }
            catch (ActorNotFoundException)
            {
                return true;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return false;
    }

    private string Bound(System.Net.EndPoint address)
    {
        lock (_listeners)
        {
            _listeners.Add(address);
        }

        return PeerAddress.Format(address);
    }

    public async ValueTask DisposeAsync()
    {
        await System.Terminate().ConfigureAwait(false);
    }
}

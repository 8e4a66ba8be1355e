using System.Collections.Immutable;
using System.Net;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Kamune.Hosting;

// One per host (Akka.Hosting runs one ActorSystem per service provider). Started by WithKamune's startup task once
// the handlers are resolved; a failed start fails every waiting call instead of leaving it waiting, and a call made
// before the start waits for it at most kamune.request-timeout (issue 18.5: no ask waits forever).
internal sealed class KamuneNode(IServiceProvider? provider) : IKamuneNode
{
    private readonly TaskCompletionSource<Started> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ImmutableList<EndPoint> _listeners = [];

    public PublicIdentity Identity => Current.Extension.Options.Identity.PublicIdentity;

    public IActorRef Manager => Current.Extension.Manager;

    public IReadOnlyList<EndPoint> Listeners => _listeners;

    private Started Current => _started.Task.IsCompletedSuccessfully
        ? _started.Task.Result
        : throw new InvalidOperationException("Kamune: expected the host to have started, got a node that has not (yet)");

    public async Task<EndPoint> ListenAsync(string host, int port, IActorRef? handler = null, CancellationToken cancellationToken = default)
    {
        var started = await StartedAsync($"listen on {host}:{port}", cancellationToken).ConfigureAwait(false);
        return await ListenAsync(started, host, port, handler ?? started.DefaultHandler("listen"), cancellationToken).ConfigureAwait(false);
    }

    public async Task<DialConnected> DialAsync(string host, int port, IActorRef? handler = null, CancellationToken cancellationToken = default)
    {
        var started = await StartedAsync($"dial {host}:{port}", cancellationToken).ConfigureAwait(false);
        return await started.Extension.DialAsync(host, port, handler ?? started.DefaultHandler("dial"), cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task UnbindAsync(EndPoint localAddress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(localAddress);
        var started = await StartedAsync($"unbind {localAddress}", cancellationToken).ConfigureAwait(false);
        await started.Extension.UnbindAsync(localAddress, cancellationToken).ConfigureAwait(false);
        Forget(localAddress);
    }

    internal async Task StartAsync(ActorSystem system, KamuneExtension extension, IActorRef? defaultHandler, IEnumerable<(KamuneEndpoint Endpoint, IActorRef Handler)> listens, CancellationToken cancellationToken)
    {
        var started = new Started(extension, defaultHandler);
        try
        {
            // Before the first bind, so no unbind of a listener this node bound can pass unseen.
            KamuneNodeListeners.Start(system, Forget);
            foreach (var (endpoint, handler) in listens)
            {
                await ListenAsync(started, endpoint.Host, endpoint.Port, handler, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            _started.TrySetException(e);
            throw;
        }

        _started.TrySetResult(started);
    }

    internal void Fail(Exception error) => _started.TrySetException(error);

    private async Task<EndPoint> ListenAsync(Started started, string host, int port, IActorRef handler, CancellationToken cancellationToken)
    {
        var address = await started.Extension.ListenAsync(host, port, handler, cancellationToken).ConfigureAwait(false);
        ImmutableInterlocked.Update(ref _listeners, static (list, item) => list.Contains(item) ? list : list.Add(item), address);
        return address;
    }

    // An unbind, asked for here or anywhere else, or one the listener made itself because its handler stopped.
    private void Forget(EndPoint localAddress) =>
        ImmutableInterlocked.Update(ref _listeners, static (list, item) => list.Remove(item), localAddress);

    private async Task<Started> StartedAsync(string what, CancellationToken cancellationToken)
    {
        if (_started.Task.IsCompleted)
        {
            return await _started.Task.ConfigureAwait(false);
        }

        var wait = StartWait() ?? throw new KamuneNodeException(
            $"Kamune {what}: expected a node that WithKamune starts (services.AddAkka(name, builder => builder.WithKamune(...))), " +
            "got AddKamuneNode without WithKamune");
        try
        {
            return await _started.Task.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new KamuneNodeException(
                $"Kamune {what}: expected the host to have started Kamune within kamune.request-timeout ({wait.TotalSeconds:0.###} s), " +
                "got no start (is the host started?)");
        }
    }

    // Null when no WithKamune will ever start this node; else how long a call waits for the start. Resolving the
    // builder runs the application's AddAkka callback, as the host's start would (once: it is a singleton).
    private TimeSpan? StartWait()
    {
        var builder = provider?.GetService<AkkaConfigurationBuilder>();
        if (builder is null || !KamuneHostingExtensions.HasKamune(builder))
        {
            return null;
        }

        var config = builder.Configuration.HasValue ? builder.Configuration.Value : null;
        return KamuneConfig.OverDefault(config).GetTimeSpan("kamune.request-timeout");
    }

    private sealed record Started(KamuneExtension Extension, IActorRef? Default)
    {
        public IActorRef DefaultHandler(string what) => Default ?? throw new ArgumentNullException(
            "handler", $"Kamune {what}: expected a handler, or KamuneOptions.Handler to fall back on, got neither");
    }
}

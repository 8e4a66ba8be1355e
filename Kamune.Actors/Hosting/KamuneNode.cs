using System.Collections.Immutable;
using Akka.Actor;

namespace Kamune.Hosting;

// One per host (Akka.Hosting runs one ActorSystem per service provider). Started by WithKamune's startup task once
// the handlers are resolved; a failed start fails every waiting call instead of leaving it waiting.
internal sealed class KamuneNode : IKamuneNode
{
    private readonly TaskCompletionSource<Started> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ImmutableList<ListenerBound> _listeners = [];

    public PublicIdentity Identity => Current.Extension.Options.Identity.PublicIdentity;

    public IActorRef Manager => Current.Extension.Manager;

    public IReadOnlyList<ListenerBound> Listeners => _listeners;

    private Started Current => _started.Task.IsCompletedSuccessfully
        ? _started.Task.Result
        : throw new InvalidOperationException("Kamune: expected the host to have started, got a node that has not (yet)");

    public async Task<ListenerBound> ListenAsync(string host, int port, IActorRef? handler = null, CancellationToken cancellationToken = default)
    {
        var started = await _started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await ListenAsync(started, host, port, handler ?? started.DefaultHandler("listen"), cancellationToken).ConfigureAwait(false);
    }

    public async Task<DialConnected> DialAsync(string host, int port, IActorRef? handler = null, CancellationToken cancellationToken = default)
    {
        var started = await _started.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await started.Extension.DialAsync(host, port, handler ?? started.DefaultHandler("dial"), cancellationToken)
            .ConfigureAwait(false);
    }

    internal async Task StartAsync(KamuneExtension extension, IActorRef? defaultHandler, IEnumerable<(KamuneEndpoint Endpoint, IActorRef Handler)> listens, CancellationToken cancellationToken)
    {
        var started = new Started(extension, defaultHandler);
        try
        {
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

    private async Task<ListenerBound> ListenAsync(Started started, string host, int port, IActorRef handler, CancellationToken cancellationToken)
    {
        var address = await started.Extension.ListenAsync(host, port, handler, cancellationToken).ConfigureAwait(false);
        var listening = new ListenerBound(address);
        ImmutableInterlocked.Update(ref _listeners, static (list, item) => list.Add(item), listening);
        return listening;
    }

    private sealed record Started(KamuneExtension Extension, IActorRef? Default)
    {
        public IActorRef DefaultHandler(string what) => Default ?? throw new ArgumentNullException(
            "handler", $"Kamune {what}: expected a handler, or KamuneOptions.Handler to fall back on, got neither");
    }
}

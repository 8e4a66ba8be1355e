using System.Net;
using Akka.Actor;

namespace Kamune.Hosting;

/// <summary>
/// The hosted Kamune node, from the service provider (<c>services.AddKamuneNode()</c>): what the options bound, and
/// typed listen, dial and unbind for more. A call made before the host has started waits for Kamune to start (as
/// <c>IRequiredActor&lt;T&gt;.GetAsync</c> does), at most kamune.request-timeout and bounded by its cancellation
/// token, then throws <see cref="KamuneNodeException"/>; with no <c>WithKamune</c> on the host's Akka builder,
/// nothing will ever start the node, and every call throws <see cref="KamuneNodeException"/> at once.
/// </summary>
public interface IKamuneNode
{
    /// <summary>This node's public identity (its fingerprint is what peers verify). Throws before the host has started.</summary>
    PublicIdentity Identity { get; }

    /// <summary>The manager actor (also in the ActorRegistry under <see cref="KamuneManagerKey"/>). Throws before the host has started.</summary>
    IActorRef Manager { get; }

    /// <summary>
    /// The local addresses of the listeners this node bound (by the options at start and by <see cref="ListenAsync"/>,
    /// in that order) that are still bound: one leaves the list once <see cref="UnbindAsync"/> returns, and soon after
    /// it stops listening for any other reason (an <see cref="UnbindListener"/> told to the manager, its handler
    /// stopped, the node's shutdown).
    /// </summary>
    IReadOnlyList<EndPoint> Listeners { get; }

    /// <summary>
    /// Binds a listener on <paramref name="host"/>:<paramref name="port"/> (0: the OS picks) whose sessions report to
    /// <paramref name="handler"/>, or to <see cref="KamuneOptions.Handler"/> when null; returns the bound address (as
    /// <see cref="KamuneExtension.ListenAsync"/> does). Throws
    /// <see cref="KamuneNodeException"/> if it cannot bind or no answer came within kamune.request-timeout,
    /// <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    Task<EndPoint> ListenAsync(string host, int port, IActorRef? handler = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Dials a peer; returns once TCP is connected and the session is handshaking (its events then go to the
    /// handler). Throws <see cref="KamuneNodeException"/> if the dial fails or no answer came within
    /// kamune.request-timeout, <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    Task<DialConnected> DialAsync(string host, int port, IActorRef? handler = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Unbinds the listener at <paramref name="localAddress"/> (see <see cref="UnbindListener"/>: the sessions it accepted
    /// end with it); returns once its port is closed, or at once when nothing is bound there. Throws
    /// <see cref="KamuneNodeException"/> if no answer came within kamune.request-timeout,
    /// <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    Task UnbindAsync(EndPoint localAddress, CancellationToken cancellationToken = default);
}

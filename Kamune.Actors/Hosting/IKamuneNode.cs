using Akka.Actor;

namespace Kamune.Hosting;

/// <summary>
/// The hosted Kamune node, from the service provider (<c>services.AddKamuneNode()</c>): what the options bound, and
/// typed listen and dial for more. A call made before the host has started waits for Kamune to start (as
/// <c>IRequiredActor&lt;T&gt;.GetAsync</c> does), bounded by its cancellation token.
/// </summary>
public interface IKamuneNode
{
    /// <summary>This node's public identity (its fingerprint is what peers verify). Throws before the host has started.</summary>
    PublicIdentity Identity { get; }

    /// <summary>The manager actor (also in the ActorRegistry under <see cref="KamuneManagerKey"/>). Throws before the host has started.</summary>
    IActorRef Manager { get; }

    /// <summary>Every listener bound so far, by the options at start and by <see cref="ListenAsync"/>, in that order.</summary>
    IReadOnlyList<ListenerBound> Listeners { get; }

    /// <summary>
    /// Binds a listener on <paramref name="host"/>:<paramref name="port"/> (0: the OS picks) whose sessions report to
    /// <paramref name="handler"/>, or to <see cref="KamuneOptions.Handler"/> when null. Throws
    /// <see cref="KamuneNodeException"/> if it cannot bind or no answer came within kamune.request-timeout,
    /// <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    Task<ListenerBound> ListenAsync(string host, int port, IActorRef? handler = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Dials a peer; returns once TCP is connected and the session is handshaking (its events then go to the
    /// handler). Throws <see cref="KamuneNodeException"/> if the dial fails or no answer came within
    /// kamune.request-timeout, <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    Task<DialConnected> DialAsync(string host, int port, IActorRef? handler = null, CancellationToken cancellationToken = default);
}

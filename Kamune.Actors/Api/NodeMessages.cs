using System.Net;
using Akka.Actor;

namespace Kamune;

// The node-level protocol of the Kamune manager (KamuneExtension.Manager): listening and dialing.
// Session events (SessionEstablished, MessageReceived, SessionClosed) go to the Handler named here.

/// <summary>Bind a listener; every accepted connection becomes a responder session reporting to <paramref name="Handler"/>. Port 0 picks a free port.</summary>
/// <param name="Host">The local address or host name to bind.</param>
/// <param name="Port">The TCP port; 0 lets the OS choose (read it from <see cref="ListenerBound.LocalAddress"/>).</param>
/// <param name="Handler">Receives the session events of every connection this listener accepts.</param>
public sealed record BindListener(string Host, int Port, IActorRef Handler);

/// <summary>
/// The listener is bound and accepting at <paramref name="LocalAddress"/>: the answer to <see cref="BindListener"/>,
/// and also published on the ActorSystem's EventStream for every listener the node binds.
/// </summary>
public sealed record ListenerBound(EndPoint LocalAddress);

/// <summary>The listener could not bind (address in use, bad host); nothing was left running.</summary>
/// <param name="Host">The host of the <see cref="BindListener"/> that failed.</param>
/// <param name="Port">The port of the <see cref="BindListener"/> that failed.</param>
/// <param name="Reason">What went wrong, in words, for logs.</param>
public sealed record BindListenerFailed(string Host, int Port, string Reason);

/// <summary>
/// Stop listening at <paramref name="LocalAddress"/>. Connections this listener accepted end with it: Akka.IO keeps
/// accepted sockets as children of their listening socket. Dialed sessions and other listeners are not affected.
/// Every UnbindListener is answered <see cref="ListenerUnbound"/> exactly once, when the port is closed: also when
/// several ask at once, when the listener is already unbinding on its own (its handler stopped, the node is shutting
/// down), and at once when nothing is bound at <paramref name="LocalAddress"/> (the outcome asked for holds already).
/// </summary>
public sealed record UnbindListener(EndPoint LocalAddress);

/// <summary>
/// The listener at <paramref name="LocalAddress"/> no longer accepts connections: the answer to
/// <see cref="UnbindListener"/>, and also published on the ActorSystem's EventStream whenever a bound listener stops
/// listening, whatever the cause (an unbind, its handler stopped, the node's shutdown).
/// </summary>
public sealed record ListenerUnbound(EndPoint LocalAddress);

/// <summary>Connect to a Kamune node as initiator; the session reports to <paramref name="Handler"/>.</summary>
/// <param name="Host">The node's host name or IP address.</param>
/// <param name="Port">The node's TCP port.</param>
/// <param name="Handler">Receives this session's <see cref="SessionEstablished"/>, <see cref="MessageReceived"/> and <see cref="SessionClosed"/>.</param>
/// <param name="Verifier">
/// Verifies this session's remote identity instead of the node's verifier, for example one that also knows which
/// address was dialed (a pin bound to the session, with no lookup by endpoint); null: the node's verifier.
/// </param>
public sealed record DialPeer(string Host, int Port, IActorRef Handler, IIdentityVerifier? Verifier = null);

/// <summary>The TCP connection is up and <paramref name="Session"/> is running the handshake.</summary>
/// <param name="Host">The host of the <see cref="DialPeer"/>.</param>
/// <param name="Port">The port of the <see cref="DialPeer"/>.</param>
/// <param name="LocalAddress">This end of the TCP connection.</param>
/// <param name="RemoteAddress">The address the host resolved to and the connection reached.</param>
/// <param name="Session">The session actor; its handler gets <see cref="SessionEstablished"/> or <see cref="SessionClosed"/>.</param>
public sealed record DialConnected(string Host, int Port, EndPoint LocalAddress, EndPoint RemoteAddress, IActorRef Session);

/// <summary>The TCP connection could not be made (refused, unreachable, dial timeout); nothing was left running.</summary>
/// <param name="Host">The host of the <see cref="DialPeer"/> that failed.</param>
/// <param name="Port">The port of the <see cref="DialPeer"/> that failed.</param>
/// <param name="Reason">What went wrong, in words, for logs.</param>
public sealed record DialFailed(string Host, int Port, string Reason);

/// <summary>
/// Stop the node gracefully: every session sends CLOSE_TRANSPORT, every connection flushes and closes, then every
/// listener unbinds; whatever is still open after <paramref name="Timeout"/> is stopped. Dials are refused from then
/// on. Answered with <see cref="NodeShutdownCompleted"/>. KamuneExtension runs it in CoordinatedShutdown.
/// </summary>
public sealed record ShutdownNode(TimeSpan Timeout);

/// <summary>No session, connection or listener of the node is left.</summary>
public sealed class NodeShutdownCompleted
{
    /// <summary>The one instance: the answer carries nothing.</summary>
    public static readonly NodeShutdownCompleted Instance = new();

    private NodeShutdownCompleted()
    {
    }
}

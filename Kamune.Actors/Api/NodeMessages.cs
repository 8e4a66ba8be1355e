using System.Net;
using Akka.Actor;

namespace Kamune.Actors;

// The node-level protocol of the Kamune manager (KamuneExtension.Manager): listening and dialing.
// Session events (SessionEstablished, MessageReceived, SessionClosed) go to the Handler named here.

/// <summary>Bind a listener; every accepted connection becomes a responder session reporting to <paramref name="Handler"/>. Port 0 picks a free port.</summary>
public sealed record Listen(string Host, int Port, IActorRef Handler);

/// <summary>The listener is bound and accepting at <paramref name="LocalAddress"/>.</summary>
public sealed record Listening(EndPoint LocalAddress);

/// <summary>The listener could not bind (address in use, bad host); nothing was left running.</summary>
public sealed record ListenFailed(string Host, int Port, string Reason);

/// <summary>Stop accepting on the listener bound at <paramref name="LocalAddress"/>; its sessions carry on.</summary>
public sealed record Unbind(EndPoint LocalAddress);

/// <summary>The listener at <paramref name="LocalAddress"/> no longer accepts connections.</summary>
public sealed record Unbound(EndPoint LocalAddress);

/// <summary>Connect to a Kamune node as initiator; the session reports to <paramref name="Handler"/>.</summary>
public sealed record Dial(string Host, int Port, IActorRef Handler);

/// <summary>The TCP connection is up and <paramref name="Session"/> is running the handshake.</summary>
public sealed record Dialing(string Host, int Port, EndPoint LocalAddress, EndPoint RemoteAddress, IActorRef Session);

/// <summary>The TCP connection could not be made (refused, unreachable, dial timeout); nothing was left running.</summary>
public sealed record DialFailed(string Host, int Port, string Reason);

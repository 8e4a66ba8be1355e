using System.Net;
using Akka.Actor;
using Kamune.Protocol;

namespace Kamune.Actors;

// The application-facing protocol of a Kamune session. The handler actor the user supplies receives
// SessionEstablished, MessageReceived and SessionClosed; the user sends Send and CloseSession to the
// session actor named in those events.

/// <summary>Which end of the TCP connection this node is: the dialer initiates the protocol.</summary>
public enum SessionRole
{
    Initiator,
    Responder,
}

/// <summary>Why a session ended, as a user reads it.</summary>
public enum CloseReason
{
    /// <summary>The peer sent CLOSE_TRANSPORT.</summary>
    PeerClosed,
    /// <summary>The connection dropped without CLOSE_TRANSPORT.</summary>
    ConnectionLost,
    /// <summary>The peer broke the protocol; <see cref="SessionClosed.Error"/> says how.</summary>
    ProtocolError,
    /// <summary>This side closed the session.</summary>
    LocalClose,
    /// <summary>The handshake, a read or the keep-alive timed out.</summary>
    Timeout,
    /// <summary>The identity verifier refused the remote key.</summary>
    Rejected,
}

/// <summary>What we know of the remote peer once its Introduce verified.</summary>
public sealed record RemotePeer(
    Kamune.Identity.PublicIdentity Identity,
    string Name,
    string AppVersion,
    EndPoint? Address)
{
    public string Fingerprint => Identity.Fingerprint.Base64;
}

/// <summary>The session is established: application messages may flow. Sent to the handler.</summary>
public sealed record SessionEstablished(IActorRef Session, string SessionId, RemotePeer Peer, SessionRole Role);

/// <summary>An application message arrived, in order, exactly once. Sent to the handler.</summary>
public sealed record MessageReceived(IActorRef Session, string SessionId, ReadOnlyMemory<byte> Data, ulong Sequence, DateTimeOffset Timestamp);

/// <summary>The session ended. Sent to the handler exactly once per session (also for failed handshakes).</summary>
public sealed record SessionClosed(
    IActorRef Session,
    string? SessionId,
    CloseReason Reason,
    KamuneError? Error,
    string Detail,
    EndPoint? RemoteAddress);

/// <summary>
/// The handler's answer to one <see cref="MessageReceived"/>, told to its Session, when <c>kamune.delivery-window</c>
/// is above 0: the session reads no further frames from the socket while that many deliveries are unanswered, so
/// TCP back-pressure reaches the sending peer instead of the handler's mailbox growing without bound.
/// </summary>
public sealed class DeliveryAck
{
    public static readonly DeliveryAck Instance = new();

    private DeliveryAck()
    {
    }
}

/// <summary>Send an application message on an established session. Answered with SendAck or SendRefused.</summary>
public sealed record Send(ReadOnlyMemory<byte> Data, object? CorrelationId = null);

/// <summary>The message was sealed and handed to the connection with this sequence number.</summary>
public sealed record SendAck(ulong Sequence, object? CorrelationId);

/// <summary>The message was not sent, and why (too large, session not established, closing, back-pressure).</summary>
public sealed record SendRefused(string Reason, object? CorrelationId);

/// <summary>Close the session gracefully: CLOSE_TRANSPORT, then the TCP connection.</summary>
public sealed class CloseSession
{
    public static readonly CloseSession Instance = new();

    private CloseSession()
    {
    }
}

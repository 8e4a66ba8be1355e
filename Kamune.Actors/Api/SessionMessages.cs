using System.Net;
using Akka.Actor;

namespace Kamune;

// The application-facing protocol of a Kamune session. The handler actor the user supplies receives
// SessionEstablished, MessageReceived and SessionClosed; the user sends SendMessage and CloseSession to the
// session actor named in those events.

/// <summary>Which end of the TCP connection this node is: the dialer initiates the protocol.</summary>
public enum SessionRole
{
    /// <summary>This node dialed: it sends the first exchange frame, the first Introduce and the handshake request.</summary>
    Initiator,
    /// <summary>This node accepted the connection on a listener: it answers each step the initiator opens.</summary>
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
    /// <summary>The handshake or a read timed out, or the peer did not read what this side wrote in time.</summary>
    Timeout,
    /// <summary>The identity verifier refused the remote key.</summary>
    Rejected,
}

/// <summary>What we know of the remote peer once its Introduce verified.</summary>
/// <param name="Identity">The Ed25519 key that signed the Introduce; every later envelope must carry its signature.</param>
/// <param name="Name">Introduce.Name as announced, after the display-name checks (docs/security.md): for people, never for trust.</param>
/// <param name="AppVersion">Introduce.AppVersion, the peer's protocol version ("0.7.0" or a compatible one).</param>
/// <param name="Address">The peer's TCP address; null when the connection has none (an in-memory test connection).</param>
public sealed record RemotePeer(
    PublicIdentity Identity,
    string Name,
    string AppVersion,
    EndPoint? Address)
{
    /// <summary>The remote key's fingerprint: compare it with another <see cref="Kamune.Fingerprint"/>, not by its text.</summary>
    public Fingerprint Fingerprint => Identity.Fingerprint;
}

/// <summary>The session is established: application messages may flow. Sent to the handler.</summary>
/// <param name="Session">The session actor: tell it <see cref="SendMessage"/>, <see cref="DeliveryAck"/> and <see cref="CloseSession"/>.</param>
/// <param name="SessionId">The 24-character id both ends derived in the handshake (initiator's prefix, responder's suffix).</param>
/// <param name="Peer">The remote identity the verifier accepted.</param>
/// <param name="Role">Which end this node is: <see cref="SessionRole.Initiator"/> when it dialed.</param>
public sealed record SessionEstablished(IActorRef Session, string SessionId, RemotePeer Peer, SessionRole Role);

/// <summary>
/// An application message arrived, in order, exactly once. Sent to the handler. <paramref name="Data"/> is a copy of
/// its own, made for this event: the handler may keep it as long as it likes, the session never touches it again.
/// With <c>kamune.delivery-window</c> above 0 (the default), answer it with <see cref="DeliveryAck"/> once handled.
/// </summary>
/// <param name="Session">The session it came on: the one to answer with <see cref="DeliveryAck"/>.</param>
/// <param name="SessionId">The id of that session, as in <see cref="SessionEstablished"/>.</param>
/// <param name="Data">The application bytes the peer sent.</param>
/// <param name="Sequence">
/// The envelope's sequence number in the peer's direction, checked gap-free; the peer's other frames (challenges, PING)
/// take numbers too, so consecutive messages may skip some.
/// </param>
/// <param name="Timestamp">When the peer says it sent the message: signed, but from the peer's clock, not checked against this one.</param>
public sealed record MessageReceived(IActorRef Session, string SessionId, ReadOnlyMemory<byte> Data, ulong Sequence, DateTimeOffset Timestamp)
{
    /// <summary>Equal when every field is, <see cref="Data"/> by its bytes, not by the buffer that holds them.</summary>
    public bool Equals(MessageReceived? other) =>
        ReferenceEquals(this, other) || (other is not null && Equals(Session, other.Session) && SessionId == other.SessionId
            && MessageBytes.Equal(Data, other.Data) && Sequence == other.Sequence && Timestamp.Equals(other.Timestamp));

    /// <summary>A hash of every field, <see cref="Data"/> by its bytes, consistent with <see cref="Equals(MessageReceived)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(Session, SessionId, MessageBytes.Hash(Data), Sequence, Timestamp);
}

/// <summary>
/// The session ended. Sent to the handler exactly once per session (also for failed handshakes), and never before
/// every accepted <see cref="SendMessage"/> of it was answered. <paramref name="Error"/> on the ordinary ends:
/// <see cref="CloseReason.LocalClose"/> null, except <see cref="KamuneError.HandshakeEvicted"/> for an accepted connection
/// whose handshake this node gave up to admit a newer one (kamune.max-concurrent-handshakes); <see cref="CloseReason.PeerClosed"/>
/// <see cref="KamuneError.PeerDisconnected"/>; <see cref="CloseReason.ConnectionLost"/>
/// <see cref="KamuneError.ConnectionLost"/>; <see cref="CloseReason.Timeout"/> <see cref="KamuneError.HandshakeTimeout"/>,
/// <see cref="KamuneError.IdleTimeout"/>, or the kind the connection reports for a peer that does not read; <see cref="CloseReason.Rejected"/> <see cref="KamuneError.IdentityRejected"/>;
/// <see cref="CloseReason.ProtocolError"/> the check the peer failed (null only for an internal failure of this node).
/// <paramref name="Detail"/> is for people and logs, not for matching.
/// </summary>
/// <param name="Session">The session actor, which stops after this.</param>
/// <param name="SessionId">The session's id; null when it ended before the handshake derived one.</param>
/// <param name="Reason">How the session ended, for the user.</param>
/// <param name="Error">Which check failed or what ended it (see above); match on this, not on <paramref name="Detail"/>.</param>
/// <param name="Detail">What happened, in words: expected and seen values, never key material or message contents.</param>
/// <param name="RemoteAddress">The peer's TCP address; null for a connection without one.</param>
public sealed record SessionClosed(
    IActorRef Session,
    string? SessionId,
    CloseReason Reason,
    KamuneError? Error,
    string Detail,
    EndPoint? RemoteAddress);

/// <summary>
/// The handler's answer to one <see cref="MessageReceived"/>, told to its Session. With <c>kamune.delivery-window</c>
/// = N above 0 (the default is 256) the session delivers at most N messages that have not been answered; then it reads
/// no further frames from the socket until an answer comes, so TCP back-pressure reaches the sending peer instead of
/// the handler's mailbox growing without bound. Answer once per message, when it is handled (or handed on): a handler
/// that forgets stalls its session, and the session logs a warning when answers are overdue. With
/// <c>delivery-window = 0</c> MessageReceived needs no answer, and nothing bounds what the handler's mailbox holds.
/// </summary>
public sealed class DeliveryAck
{
    /// <summary>The one instance: the answer carries nothing; each one frees one place in the delivery window.</summary>
    public static readonly DeliveryAck Instance = new();

    private DeliveryAck()
    {
    }
}

/// <summary>
/// Send an application message on a session (before or after it is established). Answered exactly once, in the order
/// sent, with <see cref="SendAck"/> or <see cref="SendRefused"/>; the session copies <paramref name="Data"/>, so the
/// buffer may be reused once Tell returns.
/// Order-safe sending: refusals for back-pressure (<see cref="SendRefusalKind.BackPressure"/>,
/// <see cref="SendRefusalKind.NotEstablished"/>) stick. From the first such refusal on, every later SendMessage of the
/// same sender is refused too, until the refused SendMessage itself (same CorrelationId, same bytes) comes again while
/// there is room, so a refused message can never be overtaken. The way to retry that keeps the stream in order however
/// many sends are on their way: after a back-pressure refusal send nothing new; keep the refused messages in the order
/// their refusals came; once <see cref="SendWindowOpen"/> has arrived and every SendMessage made so far has been
/// answered, send the refused ones again, oldest first, then go on with new ones. A sender with one SendMessage at a
/// time may simply send the refused one again, on SendWindowOpen or later.
/// The guarantee is per sender actor, and a session remembers at most 64 refused senders: beyond that it forgets the
/// one refused longest ago, whose later sends are then judged afresh, so its order is no longer guaranteed (every Ask
/// is a sender of its own that never retries, so a bound is needed). Send a stream from one actor, not by Ask, and
/// keep the senders of one session that are refused at the same time below 64.
/// </summary>
/// <param name="Data">The application bytes: at most 61,435 (protocol.md "Padding"), else refused <see cref="SendRefusalKind.TooLarge"/>.</param>
/// <param name="CorrelationId">Returned as it is in the answer (<see cref="SendAck"/> or <see cref="SendRefused"/>), to match the two.</param>
public sealed record SendMessage(ReadOnlyMemory<byte> Data, object? CorrelationId = null)
{
    /// <summary>Equal when the bytes of <see cref="Data"/> and the <see cref="CorrelationId"/> are.</summary>
    public bool Equals(SendMessage? other) =>
        ReferenceEquals(this, other) || (other is not null && MessageBytes.Equal(Data, other.Data) && Equals(CorrelationId, other.CorrelationId));

    /// <summary>A hash of the bytes of <see cref="Data"/> and the <see cref="CorrelationId"/>, consistent with <see cref="Equals(SendMessage)"/>.</summary>
    public override int GetHashCode() => HashCode.Combine(MessageBytes.Hash(Data), CorrelationId);
}

/// <summary>
/// The message was sealed with this sequence number and taken by the live connection writer: into its outbound queue,
/// or held behind it while the peer reads slowly, to go out in order unless the connection is cut meanwhile. It is
/// local: it does not say the peer read it. A message the writer had not confirmed taking when the session ended is
/// answered <see cref="SendRefused"/> with <see cref="SendRefusalKind.Closed"/> instead (see there: it may still have
/// gone out).
/// </summary>
/// <param name="Sequence">The sequence number the message was sealed with: the one the peer's <see cref="MessageReceived"/> will show.</param>
/// <param name="CorrelationId">The <see cref="SendMessage.CorrelationId"/> of the message.</param>
public sealed record SendAck(ulong Sequence, object? CorrelationId);

/// <summary>Why a <see cref="SendMessage"/> was refused: what the sender may do about it.</summary>
public enum SendRefusalKind
{
    /// <summary>Above the 61,435-byte cap (protocol.md "Padding"); never retry it unchanged.</summary>
    TooLarge,
    /// <summary>The session is not established yet and its queue for early sends is full; retry on <see cref="SendWindowOpen"/>.</summary>
    NotEstablished,
    /// <summary>kamune.send-window frames wait for the connection; retry on <see cref="SendWindowOpen"/>.</summary>
    BackPressure,
    /// <summary>The session is closing (CloseSession was received): nothing more is sent.</summary>
    Closing,
    /// <summary>
    /// The session ended, or its connection closed, before the connection writer confirmed taking the message; see
    /// <see cref="SessionClosed"/>, which follows. Not confirmed does not mean not sent: when the session is stopped
    /// from outside (PoisonPill, its parent stopping) a frame already handed to a live writer is refused Closed, yet
    /// the writer may still put it on the wire. Treat Closed as "maybe delivered": a retry on a new session may
    /// duplicate it, so a message that must arrive exactly once needs the application's own acknowledgement.
    /// </summary>
    Closed,
}

/// <summary>The message was not sent: <paramref name="Kind"/> says why for code, <paramref name="Reason"/> for people.</summary>
/// <param name="Kind">Why, for code: decides whether and when to retry.</param>
/// <param name="Reason">Why, in words, for logs.</param>
/// <param name="CorrelationId">The <see cref="SendMessage.CorrelationId"/> of the refused message.</param>
public sealed record SendRefused(SendRefusalKind Kind, string Reason, object? CorrelationId);

/// <summary>
/// Told by the session to a sender whose SendMessage was refused for back-pressure, once room is back: send the refused
/// messages again now, oldest first (see <see cref="SendMessage"/>).
/// </summary>
/// <param name="Session">The session that has room again.</param>
public sealed record SendWindowOpen(IActorRef Session);

/// <summary>Close the session gracefully: CLOSE_TRANSPORT, then the TCP connection.</summary>
public sealed class CloseSession
{
    /// <summary>The one instance: the request carries nothing.</summary>
    public static readonly CloseSession Instance = new();

    private CloseSession()
    {
    }
}

// Records compare a ReadOnlyMemory<byte> by the buffer it points into; the messages that carry one compare its bytes,
// so a test's ExpectMsg(new MessageReceived(...)) means the same content. Message bytes are not secrets: no need for
// a constant-time compare.
internal static class MessageBytes
{
    public static bool Equal(ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b) => a.Span.SequenceEqual(b.Span);

    public static int Hash(ReadOnlyMemory<byte> data)
    {
        var hash = new HashCode();
        hash.AddBytes(data.Span);
        return hash.ToHashCode();
    }
}

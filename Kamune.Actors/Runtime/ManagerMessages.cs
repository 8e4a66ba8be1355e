using System.Net;
using Akka.Actor;
using Kamune.Crypto;
using Kamune.Protocol;

namespace Kamune.Actors.Runtime;

// The manager's contract with its listeners, connection writers and sessions (KamuneManager.cs).

/// <summary>What the manager hands the session factory for each new TCP connection.</summary>
/// <param name="Dialed">True when this node dialed (protocol initiator), false when a listener accepted (responder).</param>
/// <param name="Connection">The connection's writer: takes <see cref="WriteFrame"/> and <see cref="CloseConnection"/>.</param>
/// <param name="Handler">The application actor that receives the session's events.</param>
/// <param name="RemoteAddress">The peer's TCP address.</param>
/// <param name="Verifier">The dial's own verifier (<see cref="DialPeer.Verifier"/>), or null for the node's.</param>
internal sealed record SessionConnection(bool Dialed, IActorRef Connection, IActorRef Handler, EndPoint RemoteAddress, IIdentityVerifier? Verifier = null);

/// <summary>Builds the session actor (PeerActor in production, a test double in transport tests) for one connection.</summary>
internal delegate Props SessionPropsFactory(SessionConnection connection);

/// <summary>
/// The one length the first frame of each side may declare (protocol.md step 1): what a responder reads first is the
/// initiator's X-Wing key, what an initiator reads first is the responder's merged message. Checked at the 2-byte
/// prefix (<see cref="KamuneFraming.FirstFrameLength"/>); null in the manager means no check (stand-in sessions).
/// </summary>
internal sealed record ExchangeFirstFrames(int FromInitiator, int FromResponder)
{
    public static readonly ExchangeFirstFrames Kamune = new(XWingKeyPair.PublicKeySize, ExchangeMessages.ResponderHelloSize);
}

/// <summary>The shutdown deadline passed: whatever is still open is stopped.</summary>
internal sealed class ShutdownDeadline : IRuntimeMessage
{
    public static readonly ShutdownDeadline Instance = new();

    private ShutdownDeadline()
    {
    }
}

/// <summary>
/// Listener to manager: run this accepted connection for <paramref name="Handler"/>. <paramref name="TcpConnection"/>
/// is Akka.IO's connection actor, which a refusal closes or holds directly (no stream is built for it).
/// </summary>
internal sealed record AcceptConnection(ConnectionTarget.Accepted Target, IActorRef Handler, IActorRef TcpConnection) : IRuntimeMessage;

/// <summary>Manager to listener: the writer that now owns the accepted connection (watch it to count open connections).</summary>
internal sealed record ConnectionStarted(IActorRef Connection, EndPoint RemoteAddress) : IRuntimeMessage;

/// <summary>Why a listener closed an accepted connection at once, before it cost a session.</summary>
internal enum AcceptRefusal
{
    /// <summary>kamune.accept-rate-per-address: the address's token bucket was empty.</summary>
    RateLimit,

    /// <summary>kamune.max-connections-per-address: the address had that many open already.</summary>
    AddressLimit,

    /// <summary>kamune.max-concurrent-handshakes: every slot taken and the newcomer's address would hold the most.</summary>
    HandshakeCap,
}

/// <summary>
/// One accepted connection was refused before it cost a session, counted in <see cref="ManagerState"/>: listener to
/// manager for its own limits (closed at once); manager to listener for the handshake cap, with Akka.IO's
/// <paramref name="TcpConnection"/>, which the listener holds unanswered (see Listener.Park).
/// </summary>
internal sealed record ConnectionRefused(AcceptRefusal Reason, EndPoint RemoteAddress, IActorRef? TcpConnection = null) : IRuntimeMessage;

/// <summary>
/// Session actor to its parent (the manager): the handshake finished and the session is established, so its
/// connection no longer counts against kamune.max-concurrent-handshakes.
/// </summary>
internal sealed class PeerEstablished : IRuntimeMessage
{
    public static readonly PeerEstablished Instance = new();

    private PeerEstablished()
    {
    }
}

/// <summary>
/// Manager to a session still handshaking: every handshake slot is taken and this connection is the one that makes
/// room (<see cref="HandshakeSlots{T}"/>). The session ends with <see cref="KamuneError.HandshakeEvicted"/>.
/// </summary>
internal sealed record EvictHandshake(string Detail) : IRuntimeMessage;

/// <summary>Listener to manager: bound at <paramref name="LocalAddress"/>, so UnbindListener can find it; the manager answers the requester.</summary>
internal sealed record ListenerSocketBound(EndPoint LocalAddress) : IRuntimeMessage;

/// <summary>Ask the manager what it runs; answered with <see cref="ManagerState"/>. For diagnostics and tests.</summary>
internal sealed class GetManagerState : IRuntimeMessage
{
    public static readonly GetManagerState Instance = new();

    private GetManagerState()
    {
    }
}

/// <summary>
/// Live listeners, connection writers (one per open socket) and session actors under the manager; how many of the
/// connections have not finished their handshake; and how many accepted connections were evicted from a handshake
/// slot to make room for a newer one (kamune.max-concurrent-handshakes); and how many the listeners closed at accept.
/// </summary>
internal sealed record ManagerState(int Listeners, int Connections, int Sessions, int Handshaking, long EvictedAtHandshakeCap) : IRuntimeMessage
{
    /// <summary>Accepted connections closed at once by kamune.max-concurrent-handshakes (their address held the most).</summary>
    public long RefusedAtHandshakeCap { get; init; }

    /// <summary>Accepted connections closed at once by kamune.accept-rate-per-address.</summary>
    public long RefusedAtRateLimit { get; init; }

    /// <summary>Accepted connections closed at once by kamune.max-connections-per-address.</summary>
    public long RefusedAtAddressLimit { get; init; }
}

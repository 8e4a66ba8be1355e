using System.Net;
using Akka.Actor;

namespace Kamune.Actors.Runtime;

/// <summary>
/// Everything one <see cref="PeerActor"/> needs for one connection. The transport builds it per accepted or dialed
/// socket (through <see cref="PeerSettings"/>, the one place settings become options); tests build it with Kamune.TestKit's
/// deterministic randomness and manual clock.
/// </summary>
/// <param name="Role">Dialer = <see cref="SessionRole.Initiator"/>, listener = <see cref="SessionRole.Responder"/>.</param>
/// <param name="Connection">
/// The frame writer: takes <see cref="WriteFrame"/> (answering each FrameWritten, FrameHeld or FrameDropped) and
/// <see cref="CloseConnection"/>.
/// </param>
/// <param name="Handler">Receives SessionEstablished, MessageReceived and SessionClosed.</param>
/// <param name="LocalIdentity">Signs every envelope; owned by the node, not disposed by the session.</param>
/// <param name="LocalName">Introduce.Name; the Go reference defaults it to the identity's fingerprint.</param>
/// <param name="AppVersion">Introduce.AppVersion: the protocol version, "0.7.0".</param>
/// <param name="Verifier">Judges the remote Introduce: this dial's own verifier, else the node's.</param>
/// <param name="Random">Every random byte of the session: exchange and handshake keys, salts, nonces, padding.</param>
/// <param name="Clock">Timestamps in the metadata of what the session sends.</param>
/// <param name="RemoteAddress">The peer's TCP address, reported in RemotePeer and SessionClosed; null when there is none (in-memory tests).</param>
/// <param name="HandshakeTimeout">Bounds everything before Established (Go: 30 s for the whole handshake).</param>
/// <param name="IdleTimeout">No inbound frame for this long ends the session; zero or negative disables it.</param>
/// <param name="KeepAliveInterval">
/// Once established, PING when nothing was read or nothing was written for this long (an idle session); a session busy
/// both ways is not pinged. Null disables keep-alive.
/// </param>
/// <param name="MaxFrameLength">Largest frame payload accepted and written (at most 65,535).</param>
/// <param name="SendWindow">
/// The one outbound budget (<see cref="OutboundBudget"/>): frames of any kind sealing or written and not yet confirmed
/// by FrameWritten. A SendMessage beyond it is refused for back-pressure; before Established, the queue of early sends.
/// </param>
/// <param name="DeliveryWindow">
/// 0: MessageReceived needs no answer. N &gt; 0: the handler answers each MessageReceived with <see cref="DeliveryAck"/>,
/// and with N unanswered the session stops reading the socket, so a slow application slows its peer.
/// </param>
/// <param name="Monotonic">Measures idle and keep-alive time; null: the process's monotonic clock.</param>
internal sealed record PeerOptions(
    SessionRole Role,
    IActorRef Connection,
    IActorRef Handler,
    IdentityKeyPair LocalIdentity,
    string LocalName,
    string AppVersion,
    IIdentityVerifier Verifier,
    IRandomSource Random,
    IClock Clock,
    EndPoint? RemoteAddress,
    TimeSpan HandshakeTimeout,
    TimeSpan IdleTimeout,
    TimeSpan? KeepAliveInterval,
    int MaxFrameLength,
    int SendWindow,
    int DeliveryWindow = 0,
    IMonotonicClock? Monotonic = null)
{
    public const int MaxWireFrameLength = ushort.MaxValue;

    /// <summary>
    /// True only for a session the manager created: it alone understands <see cref="PeerEstablished"/>. A session under
    /// any other parent (a test harness, an application's own actor) tells its parent nothing (issue 17 item 7).
    /// </summary>
    public bool ParentIsManager { get; init; }

    /// <summary>
    /// Told <see cref="HandshakeTimerArmed"/> once the handshake timer runs, so a test may move a TestScheduler past it
    /// without polling; null (every node's session): nobody is told.
    /// </summary>
    public IActorRef? HandshakeTimerWatcher { get; init; }

    /// <summary>Throws ArgumentException for settings no session can run with (a programming error, not network input).</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Connection);
        ArgumentNullException.ThrowIfNull(Handler);
        ArgumentNullException.ThrowIfNull(LocalIdentity);
        ArgumentNullException.ThrowIfNull(LocalName);
        ArgumentNullException.ThrowIfNull(AppVersion);
        ArgumentNullException.ThrowIfNull(Verifier);
        ArgumentNullException.ThrowIfNull(Random);
        ArgumentNullException.ThrowIfNull(Clock);
        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"HandshakeTimeout: expected > 0, got {HandshakeTimeout}.", nameof(HandshakeTimeout));
        }

        if (KeepAliveInterval is { } keepAlive && keepAlive <= TimeSpan.Zero)
        {
            throw new ArgumentException($"KeepAliveInterval: expected > 0 or null, got {keepAlive}.", nameof(KeepAliveInterval));
        }

        if (MaxFrameLength is < 1 or > MaxWireFrameLength)
        {
            throw new ArgumentException($"MaxFrameLength: expected 1..{MaxWireFrameLength}, got {MaxFrameLength}.", nameof(MaxFrameLength));
        }

        if (DeliveryWindow < 0)
        {
            throw new ArgumentException($"DeliveryWindow: expected 0 (off) or more, got {DeliveryWindow}.", nameof(DeliveryWindow));
        }

        if (SendWindow < 1)
        {
            throw new ArgumentException($"SendWindow: expected >= 1, got {SendWindow}.", nameof(SendWindow));
        }
    }
}

/// <summary>Session to <see cref="PeerOptions.HandshakeTimerWatcher"/>: its handshake timer now runs for <paramref name="Timeout"/>.</summary>
internal sealed record HandshakeTimerArmed(IActorRef Session, TimeSpan Timeout) : IRuntimeMessage;

using System.Net;
using Akka.Actor;
using Kamune.Protocol;

namespace Kamune.Actors.Runtime;

/// <summary>
/// What of <see cref="KamuneSettings"/> a session runs with: the one place node settings become <see cref="PeerOptions"/>,
/// used by the node's session factory (KamuneExtension) and by Kamune.TestKit, so a test session gets the same
/// timeouts and windows as a node's.
/// </summary>
/// <param name="Name">Introduce.Name; empty: the local identity's fingerprint (as the Go reference does). Introduce
/// announces the protocol's own version, not a setting.</param>
/// <param name="HandshakeTimeout">kamune.handshake-timeout: bounds everything before Established.</param>
/// <param name="IdleTimeout">kamune.idle-timeout: no inbound frame for this long ends the session; zero or negative: never.</param>
/// <param name="KeepAliveInterval">kamune.keep-alive-interval: PING an idle established session this often; null: never.</param>
/// <param name="MaxFrameLength">kamune.max-frame-length: largest frame payload accepted and written, in bytes.</param>
/// <param name="SendWindow">kamune.send-window: frames sealing or written and not yet confirmed, before sends are refused.</param>
/// <param name="DeliveryWindow">kamune.delivery-window: MessageReceived unanswered by DeliveryAck before the session stops reading; 0: no answer needed.</param>
internal sealed record PeerSettings(
    string Name,
    TimeSpan HandshakeTimeout,
    TimeSpan IdleTimeout,
    TimeSpan? KeepAliveInterval,
    int MaxFrameLength,
    int SendWindow,
    int DeliveryWindow)
{
    public static PeerSettings From(KamuneSettings settings) => new(
        settings.Name,
        settings.HandshakeTimeout,
        settings.IdleTimeout,
        settings.KeepAliveInterval,
        settings.MaxFrameLength,
        settings.SendWindow,
        settings.DeliveryWindow);

    /// <summary>The options of one session over <paramref name="connection"/>; validated when its Props are made.</summary>
    public PeerOptions Options(
        SessionRole role,
        IActorRef connection,
        IActorRef handler,
        IdentityKeyPair identity,
        IIdentityVerifier verifier,
        IRandomSource random,
        IClock clock,
        EndPoint? remoteAddress,
        IMonotonicClock? monotonic = null) => new(
        role,
        connection,
        handler,
        identity,
        Name.Length > 0 ? Name : identity.PublicIdentity.Fingerprint.Base64,
        ProtocolVersion.Current.ToString(),
        verifier,
        random,
        clock,
        remoteAddress,
        HandshakeTimeout,
        IdleTimeout,
        KeepAliveInterval,
        MaxFrameLength,
        SendWindow,
        DeliveryWindow,
        monotonic);
}

using Akka.Actor;
using Akka.Configuration;
using Kamune.Actors.Runtime;

namespace Kamune.TestKit;

/// <summary>
/// How a <see cref="PeerPair"/> runs: the session settings a node would give its sessions (read from
/// <see cref="KamuneSettings"/>, so a test gets the same timeouts and windows as a node), and what only a test chooses:
/// seeded identities and randomness, the verifiers, the clocks and a tamper hook per direction.
/// </summary>
/// <remarks>
/// <c>new PeerPairOptions()</c> holds the reference configuration's values; <see cref="FromSystem"/> those of a
/// test's ActorSystem. Change one with <c>with</c>: <c>PeerPairOptions.FromSystem(Sys) with { SendWindow = 4 }</c>.
/// </remarks>
public sealed record PeerPairOptions
{
    private PeerSettings _session;

    /// <summary>Options with the reference configuration's session settings.</summary>
    public PeerPairOptions()
        : this(PeerSettings.From(KamuneSettings.Create(Config.Empty)))
    {
    }

    private PeerPairOptions(PeerSettings session) => _session = session;

    /// <summary>The session settings of <paramref name="settings"/>, as a node built from them would use.</summary>
    public static PeerPairOptions FromSettings(KamuneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new PeerPairOptions(PeerSettings.From(settings));
    }

    /// <summary>The session settings of <paramref name="system"/>'s <c>kamune { }</c> configuration.</summary>
    public static PeerPairOptions FromSystem(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return FromSettings(KamuneSettings.Create(system));
    }

    /// <summary>kamune.handshake-timeout: bounds everything before Established.</summary>
    public TimeSpan HandshakeTimeout { get => _session.HandshakeTimeout; init => _session = _session with { HandshakeTimeout = value }; }

    /// <summary>kamune.idle-timeout: no inbound frame for this long ends the session; zero: off.</summary>
    public TimeSpan IdleTimeout { get => _session.IdleTimeout; init => _session = _session with { IdleTimeout = value }; }

    /// <summary>
    /// kamune.keep-alive-interval, for the initiator only: the responder never pings, so the order of the frames both
    /// ways never depends on thread timing. Null: off.
    /// </summary>
    public TimeSpan? KeepAliveInterval { get => _session.KeepAliveInterval; init => _session = _session with { KeepAliveInterval = value }; }

    /// <summary>kamune.max-frame-length: the largest frame payload read or written.</summary>
    public int MaxFrameLength { get => _session.MaxFrameLength; init => _session = _session with { MaxFrameLength = value }; }

    /// <summary>kamune.send-window: the outbound frames a session holds unconfirmed before it refuses a send.</summary>
    public int SendWindow { get => _session.SendWindow; init => _session = _session with { SendWindow = value }; }

    /// <summary>kamune.delivery-window: unanswered MessageReceived before a session stops reading; 0: no DeliveryAck needed.</summary>
    public int DeliveryWindow { get => _session.DeliveryWindow; init => _session = _session with { DeliveryWindow = value }; }

    /// <summary>Seeds both identities and both sessions' randomness: the same seed, the same bytes on the wire.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The initiator's verdict on the responder's identity.</summary>
    public IIdentityVerifier InitiatorVerifier { get; init; } = AcceptAllVerifier.Instance;

    /// <summary>The responder's verdict on the initiator's identity.</summary>
    public IIdentityVerifier ResponderVerifier { get; init; } = AcceptAllVerifier.Instance;

    /// <summary>What both sessions' <see cref="ManualClock"/> reads (envelope timestamps); it moves only when told.</summary>
    public DateTimeOffset ClockStart { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Measures idle and keep-alive time; null: the scheduler's time (<see cref="SchedulerClock"/>).</summary>
    public IMonotonicClock? Monotonic { get; init; }

    /// <summary>What of the initiator's frames reaches the responder.</summary>
    public FrameTamper TamperToResponder { get; init; } = FrameTampers.Untouched;

    /// <summary>What of the responder's frames reaches the initiator.</summary>
    public FrameTamper TamperToInitiator { get; init; } = FrameTampers.Untouched;

    // Each side introduces itself by its role, so a transcript does not depend on the identities' fingerprints.
    internal PeerSettings Session(SessionRole role) => _session with
    {
        Name = role.ToString().ToLowerInvariant(),
        KeepAliveInterval = role == SessionRole.Initiator ? _session.KeepAliveInterval : null,
    };
}

using Kamune.Wire;

namespace Kamune.Protocol.Session;

/// <summary>The phases of one session, in order (protocol.md "Flow for a new session").</summary>
internal enum SessionPhase
{
    Exchange,
    Introduction,
    Handshake,
    Challenge,
    Established,
}

/// <summary>
/// Which inbound route each phase accepts, in one place (protocol.md "Routes": a route that is invalid, unknown or
/// not allowed in the current phase ends the session). The Exchange phase has raw frames and no routes.
/// </summary>
internal static class RoutePolicy
{
    /// <summary>The routes a Kamune 0.7 peer may send: 1..13.</summary>
    public static bool IsDefined(Route route) => route > Route.Invalid && route <= Route.SessionData;

    /// <summary>The route the next inbound envelope must carry while a phase runs in lock-step.</summary>
    public static Route ExpectedInbound(SessionPhase phase, SessionRole role, int step) => (phase, role, step) switch
    {
        (SessionPhase.Introduction, _, 0) => Route.Identity,
        (SessionPhase.Handshake, SessionRole.Initiator, 0) => Route.AcceptHandshake,
        (SessionPhase.Handshake, SessionRole.Responder, 0) => Route.RequestHandshake,

        // protocol.md step 4: I sends first and hears the echo, then answers R's challenge; R mirrors that.
        (SessionPhase.Challenge, SessionRole.Initiator, 0) => Route.VerifyChallenge,
        (SessionPhase.Challenge, SessionRole.Initiator, 1) => Route.SendChallenge,
        (SessionPhase.Challenge, SessionRole.Responder, 0) => Route.SendChallenge,
        (SessionPhase.Challenge, SessionRole.Responder, 1) => Route.VerifyChallenge,
        _ => throw new ArgumentOutOfRangeException(
            nameof(step), $"No lock-step route for phase {phase}, role {role}, step {step}."),
    };

    /// <summary>
    /// Established accepts application messages, the goodbye, keep-alive probes and answers, and session metadata
    /// (SESSION_DATA: Go's SPEC.md 5.1 makes route 13 a session route, and its relay client sends it once established).
    /// </summary>
    public static bool IsAllowedWhenEstablished(Route route) =>
        route is Route.ExchangeMessages or Route.CloseTransport or Route.Ping or Route.Pong or Route.SessionData;

    /// <summary>Throws <see cref="KamuneError.InvalidRoute"/> or <see cref="KamuneError.UnexpectedRoute"/> unless <paramref name="got"/> is <paramref name="expected"/>.</summary>
    public static void Expect(Route expected, Route got, SessionPhase phase)
    {
        EnsureDefined(got, phase);
        if (got != expected)
        {
            throw new KamuneProtocolException(
                KamuneError.UnexpectedRoute, $"{phase}: expected route {expected}, got {got}.");
        }
    }

    /// <summary>Throws unless <paramref name="got"/> may arrive on an established session.</summary>
    public static void EnsureAllowedWhenEstablished(Route got)
    {
        EnsureDefined(got, SessionPhase.Established);
        if (!IsAllowedWhenEstablished(got))
        {
            throw new KamuneProtocolException(
                KamuneError.UnexpectedRoute,
                $"{SessionPhase.Established}: expected route ExchangeMessages, CloseTransport, Ping, Pong or SessionData, got {got}.");
        }
    }

    private static void EnsureDefined(Route got, SessionPhase phase)
    {
        if (!IsDefined(got))
        {
            throw new KamuneProtocolException(
                KamuneError.InvalidRoute, $"{phase}: expected a route 1..13, got {(int)got}.");
        }
    }
}

using Kamune.Protocol;
using Kamune.Protocol.Session;

namespace Kamune.Tests.Session;

/// <summary>Both ends of a session as plain objects, run step by step in memory: no actors, no sockets.</summary>
internal sealed class PureSession : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public PureSession(ulong seed = 1)
    {
        InitiatorKey = IdentityKeyPair.FromSeed(Seed(seed, 0x11));
        ResponderKey = IdentityKeyPair.FromSeed(Seed(seed, 0x22));
        InitiatorRandom = new DeterministicRandomSource(seed * 2);
        ResponderRandom = new DeterministicRandomSource(seed * 2 + 1);
    }

    public IdentityKeyPair InitiatorKey { get; }

    public IdentityKeyPair ResponderKey { get; }

    public IRandomSource InitiatorRandom { get; }

    public IRandomSource ResponderRandom { get; }

    public ManualClock Clock { get; } = new(Start);

    public ExchangeTunnel? InitiatorTunnel { get; private set; }

    public ExchangeTunnel? ResponderTunnel { get; private set; }

    public static byte[] Seed(ulong seed, byte salt) => DeterministicRandomSource.IdentitySeed(seed, salt);

    /// <summary>protocol.md step 1: the three raw exchange frames.</summary>
    public void Exchange()
    {
        using var initiator = new ExchangeInitiator(InitiatorRandom);
        using var responder = new ExchangeResponder(ResponderRandom);
        var hello = responder.OnInitiatorKey(initiator.FirstFrame());
        var (initiatorTunnel, third) = initiator.OnResponderHello(hello);
        InitiatorTunnel = initiatorTunnel;
        ResponderTunnel = responder.OnInitiatorEnc(third);
    }

    /// <summary>protocol.md step 2, both ways; returns what each side learned of the other.</summary>
    public (RemoteIntroduction AtResponder, RemoteIntroduction AtInitiator) Introduce()
    {
        var fromInitiator = InitiatorTunnel!.Seal(
            IntroductionPhase.CreateIntroduce(InitiatorKey, "initiator", "0.7.0", Clock, InitiatorRandom));
        var atResponder = IntroductionPhase.ReadIntroduce(ResponderTunnel!.Open(fromInitiator), ProtocolVersion.Current);
        var fromResponder = ResponderTunnel.Seal(
            IntroductionPhase.CreateIntroduce(ResponderKey, "responder", "0.7.0", Clock, ResponderRandom));
        var atInitiator = IntroductionPhase.ReadIntroduce(InitiatorTunnel.Open(fromResponder), ProtocolVersion.Current);
        return (atResponder, atInitiator);
    }

    /// <summary>protocol.md step 3, on envelopes (the tunnel layer is exercised by <see cref="Introduce"/>).</summary>
    public (HandshakeResult Initiator, HandshakeResult Responder) Handshake()
    {
        using var initiator = new HandshakeInitiator(InitiatorKey, ResponderKey.PublicIdentity, Clock, InitiatorRandom);
        var responder = new HandshakeResponder(ResponderKey, InitiatorKey.PublicIdentity, Clock, ResponderRandom);
        var (response, atResponder) = responder.OnRequest(initiator.CreateRequest());
        return (initiator.OnResponse(response), atResponder);
    }

    public SessionTransport Transport(SessionRole role, HandshakeResult result) => role == SessionRole.Initiator
        ? new SessionTransport(result.SessionId, InitiatorKey, ResponderKey.PublicIdentity, result.Sealer, result.Opener, Clock, InitiatorRandom)
        : new SessionTransport(result.SessionId, ResponderKey, InitiatorKey.PublicIdentity, result.Sealer, result.Opener, Clock, ResponderRandom);

    public void Dispose()
    {
        InitiatorTunnel?.Dispose();
        ResponderTunnel?.Dispose();
        InitiatorKey.Dispose();
        ResponderKey.Dispose();
    }
}

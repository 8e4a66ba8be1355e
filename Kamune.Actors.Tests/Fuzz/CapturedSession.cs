using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Crypto;
using Kamune.Protocol;
using Kamune.Wire;

namespace Kamune.Tests.Fuzz;

/// <summary>
/// One whole valid session (protocol.md "Flow for a new session", steps 1-5) built with the pure APIs and a
/// deterministic random source, with every byte string a receiver parses kept as fuzz seed corpus:
/// exchange frames, tunnel frames, session payloads, SignedTransports, Metadata and inner messages.
/// Built once; the receiving-side state (tunnels, openers) is rebuilt per case from the same seeds.
/// </summary>
internal sealed class CapturedSession
{
    private const ulong InitiatorExchangeSeed = 11;
    private const ulong ResponderExchangeSeed = 12;

    private static readonly Lazy<CapturedSession> Shared = new(() => new CapturedSession());

    private readonly byte[] _initiatorIdentitySeed = Enumerable.Repeat((byte)0x49, IdentityKeyPair.SeedLength).ToArray();
    private readonly byte[] _responderIdentitySeed = Enumerable.Repeat((byte)0x52, IdentityKeyPair.SeedLength).ToArray();
    private readonly byte[] _kemSeed = Enumerable.Repeat((byte)0x4b, MlKem768KeyPair.SeedSize).ToArray();

    private CapturedSession()
    {
        var random = new DeterministicRandomSource(1);
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var initiatorId = IdentityKeyPair.FromSeed(_initiatorIdentitySeed);
        using var responderId = IdentityKeyPair.FromSeed(_responderIdentitySeed);
        InitiatorIdentity = initiatorId.PublicIdentity;
        ResponderIdentity = responderId.PublicIdentity;

        // 1. Exchange.
        using var initiator = new ExchangeInitiator(new DeterministicRandomSource(InitiatorExchangeSeed));
        using var responder = new ExchangeResponder(new DeterministicRandomSource(ResponderExchangeSeed));
        InitiatorKeyFrame = initiator.FirstFrame();
        ResponderHelloFrame = responder.OnInitiatorKey(InitiatorKeyFrame);
        var (initiatorTunnel, initiatorEnc) = initiator.OnResponderHello(ResponderHelloFrame);
        InitiatorEncFrame = initiatorEnc;
        using var tunnelI = initiatorTunnel;
        using var tunnelR = responder.OnInitiatorEnc(InitiatorEncFrame);

        // 2. Introduction.
        IntroduceI = Introduce(initiatorId, "initiator");
        IntroduceR = Introduce(responderId, string.Empty);
        var introI = Envelope.Encode(initiatorId, IntroduceI, MetadataFactory.Introduce(clock), random);
        var introR = Envelope.Encode(responderId, IntroduceR, MetadataFactory.Introduce(clock), random);

        // 3. Handshake.
        using var kem = MlKem768KeyPair.FromSeed(_kemSeed);
        var request = new Kamune.Wire.Handshake
        {
            Key = ByteString.CopyFrom(kem.EncapsulationKey.Span),
            Salt = ByteString.CopyFrom(RandomBytes(random, KeySchedule.SaltSize)),
            SessionKey = SessionId.NewHalf(random),
        };
        var ciphertext = new byte[MlKem768.CiphertextSize];
        var secret = new byte[MlKem768.SharedSecretSize];
        MlKem768.Encapsulate(request.Key.Span, random, ciphertext, secret);
        var response = new Kamune.Wire.Handshake
        {
            Key = ByteString.CopyFrom(ciphertext),
            Salt = ByteString.CopyFrom(RandomBytes(random, KeySchedule.SaltSize)),
            SessionKey = SessionId.NewHalf(random),
        };
        HandshakeRequest = request.ToByteArray();
        HandshakeResponse = response.ToByteArray();
        var hsReq = Envelope.Encode(initiatorId, HandshakeRequest, MetadataFactory.Handshake(Route.RequestHandshake, clock, random), random);
        var hsResp = Envelope.Encode(responderId, HandshakeResponse, MetadataFactory.Handshake(Route.AcceptHandshake, clock, random), random);

        var sessionId = request.SessionKey + response.SessionKey;
        KeyClientToServer = new byte[KeySchedule.KeySize];
        KeyServerToClient = new byte[KeySchedule.KeySize];
        KeySchedule.DirectionKey(secret, request.Salt.Span, sessionId, Direction.ClientToServer, KeyClientToServer);
        KeySchedule.DirectionKey(secret, response.Salt.Span, sessionId, Direction.ServerToClient, KeyServerToClient);
        var transcript = KeySchedule.TranscriptHash(request, response);
        var tokenC2S = new byte[KeySchedule.KeySize];
        var tokenS2C = new byte[KeySchedule.KeySize];
        KeySchedule.ChallengeToken(secret, sessionId, Direction.ClientToServer, transcript, tokenC2S);
        KeySchedule.ChallengeToken(secret, sessionId, Direction.ServerToClient, transcript, tokenS2C);

        // 4-5. Challenge exchange and established traffic: BytesValue -> envelope -> session cipher.
        using var sealerI = new SessionSealer(KeyClientToServer, random);
        using var sealerR = new SessionSealer(KeyServerToClient, random);
        var pingBytes = RandomBytes(random, 8);
        var fromI = new (Route Route, ulong Sequence, byte[] Value)[]
        {
            (Route.SendChallenge, 1, tokenC2S), (Route.VerifyChallenge, 2, tokenS2C),
            (Route.ExchangeMessages, 3, "hello from the initiator"u8.ToArray()), (Route.Ping, 4, pingBytes),
            (Route.ExchangeMessages, 5, RandomBytes(random, 3000)), (Route.CloseTransport, 6, []),
        };
        var fromR = new (Route Route, ulong Sequence, byte[] Value)[]
        {
            (Route.VerifyChallenge, 1, tokenC2S), (Route.SendChallenge, 2, tokenS2C),
            (Route.ExchangeMessages, 3, "hello from the responder"u8.ToArray()), (Route.Pong, 4, pingBytes),
        };

        var envelopes = new List<byte[]> { introI, introR, hsReq, hsResp };
        var metadata = new List<byte[]>();
        var bytesValues = new List<byte[]>();
        var payloadsI = new List<byte[]>();
        var payloadsR = new List<byte[]>();
        foreach (var (messages, signer, sealer, payloads) in new[] { (fromI, initiatorId, sealerI, payloadsI), (fromR, responderId, sealerR, payloadsR) })
        {
            foreach (var (route, sequence, value) in messages)
            {
                var inner = new BytesValue { Value = ByteString.CopyFrom(value) }.ToByteArray();
                var meta = MetadataFactory.Session(route, sequence, clock, random).ToByteArray();
                var envelope = Envelope.Encode(signer, inner, meta, random);
                bytesValues.Add(inner);
                metadata.Add(meta);
                envelopes.Add(envelope);
                payloads.Add(sealer.Seal(envelope));
                clock.Advance(TimeSpan.FromMilliseconds(250));
            }
        }

        // The first two session payloads per direction travel inside the tunnel (double encryption).
        TunnelFramesFromInitiator = [tunnelI.Seal(introI), tunnelI.Seal(hsReq), tunnelI.Seal(payloadsI[0]), tunnelI.Seal(payloadsI[1])];
        TunnelFramesFromResponder = [tunnelR.Seal(introR), tunnelR.Seal(hsResp), tunnelR.Seal(payloadsR[0]), tunnelR.Seal(payloadsR[1])];
        SessionPayloadsFromInitiator = payloadsI;
        SessionPayloadsFromResponder = payloadsR;
        Envelopes = envelopes;
        EnvelopesFromInitiator = [introI, hsReq, .. envelopes.Skip(4).Take(fromI.Length)];
        BytesValues = bytesValues;
        Metadata = [.. metadata, MetadataFactory.Introduce(clock).ToByteArray(), MetadataFactory.Handshake(Route.RequestHandshake, clock, random).ToByteArray()];

        // What the responder's socket receives, in order: every frame the initiator sends.
        InitiatorStream =
        [
            .. FrameCodec.Encode(InitiatorKeyFrame), .. FrameCodec.Encode(InitiatorEncFrame),
            .. TunnelFramesFromInitiator.SelectMany(f => FrameCodec.Encode(f)), .. payloadsI.Skip(2).SelectMany(f => FrameCodec.Encode(f)),
        ];
        ResponderStream =
        [
            .. FrameCodec.Encode(ResponderHelloFrame),
            .. TunnelFramesFromResponder.SelectMany(f => FrameCodec.Encode(f)), .. payloadsR.Skip(2).SelectMany(f => FrameCodec.Encode(f)),
        ];
        InitiatorFrames = [InitiatorKeyFrame, InitiatorEncFrame, .. TunnelFramesFromInitiator, .. payloadsI.Skip(2)];
    }

    public static CapturedSession Instance => Shared.Value;

    public PublicIdentity InitiatorIdentity { get; }

    public PublicIdentity ResponderIdentity { get; }

    public byte[] InitiatorKeyFrame { get; }

    public byte[] ResponderHelloFrame { get; }

    public byte[] InitiatorEncFrame { get; }

    public byte[] IntroduceI { get; }

    public byte[] IntroduceR { get; }

    public byte[] HandshakeRequest { get; }

    public byte[] HandshakeResponse { get; }

    public byte[] KeyClientToServer { get; }

    public byte[] KeyServerToClient { get; }

    public IReadOnlyList<byte[]> TunnelFramesFromInitiator { get; }

    public IReadOnlyList<byte[]> TunnelFramesFromResponder { get; }

    public IReadOnlyList<byte[]> SessionPayloadsFromInitiator { get; }

    public IReadOnlyList<byte[]> SessionPayloadsFromResponder { get; }

    /// <summary>Every SignedTransport of the session, both directions, as the receiver sees it after decryption.</summary>
    public IReadOnlyList<byte[]> Envelopes { get; }

    public IReadOnlyList<byte[]> EnvelopesFromInitiator { get; }

    public IReadOnlyList<byte[]> Metadata { get; }

    public IReadOnlyList<byte[]> BytesValues { get; }

    /// <summary>The byte stream the responder reads from its socket, frame headers included.</summary>
    public byte[] InitiatorStream { get; }

    public byte[] ResponderStream { get; }

    /// <summary>The frame payloads inside <see cref="InitiatorStream"/>, in order.</summary>
    public IReadOnlyList<byte[]> InitiatorFrames { get; }

    public IdentityKeyPair InitiatorSigner() => IdentityKeyPair.FromSeed(_initiatorIdentitySeed);

    public IdentityKeyPair ResponderSigner() => IdentityKeyPair.FromSeed(_responderIdentitySeed);

    public MlKem768KeyPair InitiatorKem() => MlKem768KeyPair.FromSeed(_kemSeed);

    /// <summary>A fresh initiator that has sent its key frame, replaying the captured exchange's random draws.</summary>
    public ExchangeInitiator FreshInitiator()
    {
        var initiator = new ExchangeInitiator(new DeterministicRandomSource(InitiatorExchangeSeed));
        initiator.FirstFrame();
        return initiator;
    }

    public ExchangeResponder FreshResponder() => new(new DeterministicRandomSource(ResponderExchangeSeed));

    /// <summary>The responder's tunnel exactly as in the captured session, before any frame was opened.</summary>
    public ExchangeTunnel ResponderTunnel()
    {
        using var responder = FreshResponder();
        responder.OnInitiatorKey(InitiatorKeyFrame);
        return responder.OnInitiatorEnc(InitiatorEncFrame);
    }

    public ExchangeTunnel InitiatorTunnel()
    {
        using var initiator = FreshInitiator();
        return initiator.OnResponderHello(ResponderHelloFrame).Tunnel;
    }

    private static byte[] Introduce(IdentityKeyPair identity, string name) => new Introduce
    {
        Name = name,
        PublicKey = ByteString.CopyFrom(identity.PublicIdentity.Pkix.Span),
        AppVersion = ProtocolVersion.Current.ToString(),
    }.ToByteArray();

    private static byte[] RandomBytes(IRandomSource random, int length)
    {
        var bytes = new byte[length];
        random.Fill(bytes);
        return bytes;
    }
}

using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Crypto;
using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Tests.Fuzz;

/// <summary>
/// Every parser that takes network bytes, each wrapped as a receiver runs it, with its seed corpus from
/// <see cref="CapturedSession"/> and the <see cref="KamuneError"/> kinds it may answer with.
/// Targets marked "re-signed" fuzz an inner message and then sign (and where the phase needs it, seal)
/// it like a malicious but authenticated peer would, so the mutation reaches the parser behind the
/// signature check instead of dying at it.
/// </summary>
public static class FuzzTargets
{
    private static readonly Lazy<IReadOnlyDictionary<string, FuzzTarget>> Targets = new(Build);

    public static IReadOnlyDictionary<string, FuzzTarget> All => Targets.Value;

    public static TheoryData<string> Names => new(All.Keys);

    public static FuzzTarget Get(string name) => All[name];

    /// <summary>What the introduction phase does with a received Introduce (protocol.md "Flow" step 2, layer 5 order).</summary>
    public static void ReadIntroduce(ReadOnlySpan<byte> signedTransport)
    {
        var transport = Envelope.Parse(signedTransport);
        var introduce = ParseInner(Introduce.Parser, transport.Data, "Introduce");
        var identity = PublicIdentity.FromPkix(introduce.PublicKey.Span);
        var verified = Envelope.Verify(transport, identity);
        RequireRoute(Route.Identity, verified.Route);
        ProtocolVersion.Check(introduce.AppVersion, ProtocolVersion.Current).ThrowIfRejected();
    }

    /// <summary>Inner messages are protobuf; a parse failure is the peer's fault, so it is typed (protocol.md layer 6).</summary>
    public static T ParseInner<T>(MessageParser<T> parser, ByteString data, string what)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new KamuneProtocolException(KamuneError.MalformedMessage, $"{what}: expected valid protobuf, got {data.Length} bytes that do not parse.", e);
        }
    }

    private static void RequireRoute(Route expected, Route got)
    {
        if (got != expected)
        {
            throw new KamuneProtocolException(KamuneError.UnexpectedRoute, $"Route: expected {expected}, got {got}.");
        }
    }

    private static IReadOnlyDictionary<string, FuzzTarget> Build()
    {
        var session = CapturedSession.Instance;
        var initiatorSigner = session.InitiatorSigner();
        var random = new DeterministicRandomSource(99);
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var kem = session.InitiatorKem();
        var request = Kamune.Wire.Handshake.Parser.ParseFrom(session.HandshakeRequest);
        var sessionMetadata = session.Metadata[2];
        var sealer = new SessionSealer(session.KeyClientToServer, random);
        var opener = new SessionOpener(session.KeyClientToServer);
        var responderOpener = new SessionOpener(session.KeyServerToClient);
        var responderSigner = session.ResponderSigner();

        // The responder's session layer as the actor runtime uses it (protocol.md "Flow" steps 4-5).
        var receiver = new SessionTransport(
            "FUZZFUZZFUZZFUZZFUZZFUZZ", responderSigner, session.InitiatorIdentity,
            new SessionSealer(session.KeyServerToClient, random), new SessionOpener(session.KeyClientToServer), clock, random);

        // A malicious peer signs whatever it likes; our encoder refuses above the cap, which the receiver never relies on.
        byte[] Signed(byte[] inner, ReadOnlySpan<byte> metadata) =>
            Envelope.Encode(initiatorSigner, inner.AsSpan(0, Math.Min(inner.Length, Envelope.MaxMessageSize)), metadata, random);

        Kamune.Wire.Handshake ReceiveHandshake(byte[] inner, Route route)
        {
            var verified = Envelope.Open(Signed(inner, MetadataFactory.Handshake(route, clock, random).ToByteArray()), session.InitiatorIdentity);
            return ParseInner(Kamune.Wire.Handshake.Parser, ByteString.CopyFrom(verified.Data.Span), "Handshake");
        }

        var targets = new List<FuzzTarget>
        {
            new("FrameDecoder", [session.InitiatorStream, session.ResponderStream, .. session.InitiatorFrames.Select(f => FrameCodec.Encode(f))],
                input => DecodeStream(input, FrameCodec.MaxPayload), Kinds(KamuneError.FrameTooLarge, KamuneError.FrameTruncated)),
            new("FrameDecoder (limit 4096)", [SmallFrames(session.InitiatorFrames), .. session.InitiatorFrames.Where(f => f.Length <= 4096).Select(f => FrameCodec.Encode(f))],
                input => DecodeStream(input, 4096), Kinds(KamuneError.FrameTooLarge, KamuneError.FrameTruncated)),
            new("ExchangeResponder.OnInitiatorKey", [session.InitiatorKeyFrame],
                input =>
                {
                    using var responder = session.FreshResponder();
                    responder.OnInitiatorKey(input);
                }, Kinds(KamuneError.MalformedExchange)),
            new("ExchangeInitiator.OnResponderHello", [session.ResponderHelloFrame],
                input =>
                {
                    using var initiator = session.FreshInitiator();
                    initiator.OnResponderHello(input).Tunnel.Dispose();
                }, Kinds(KamuneError.MalformedExchange)),
            new("ExchangeResponder.OnInitiatorEnc", [session.InitiatorEncFrame],
                input =>
                {
                    using var responder = session.FreshResponder();
                    responder.OnInitiatorKey(session.InitiatorKeyFrame);
                    responder.OnInitiatorEnc(input).Dispose();
                }, Kinds(KamuneError.MalformedExchange)),
            new("ExchangeTunnel.Open (responder)", session.TunnelFramesFromInitiator,
                TunnelOpen(session.ResponderTunnel), Kinds(KamuneError.TunnelOpenFailed)),
            new("ExchangeTunnel.Open (initiator)", session.TunnelFramesFromResponder,
                TunnelOpen(session.InitiatorTunnel), Kinds(KamuneError.TunnelOpenFailed)),
            new("SessionOpener.Open", session.SessionPayloadsFromInitiator,
                input => opener.Open(input), Kinds(KamuneError.DecryptionFailed)),
            new("Envelope.Parse", session.Envelopes,
                input => Envelope.Parse(input), Kinds(KamuneError.MalformedMessage)),
            new("Envelope.Open", session.EnvelopesFromInitiator,
                input => Envelope.Open(input, session.InitiatorIdentity),
                Kinds(KamuneError.MalformedMessage, KamuneError.InvalidSignature, KamuneError.InvalidRoute)),
            new("Metadata (re-signed)", session.Metadata,
                input => Envelope.Open(Signed(session.BytesValues[2], input), session.InitiatorIdentity),
                Kinds(KamuneError.MalformedMessage, KamuneError.InvalidRoute)),
            new("PublicIdentity.FromPkix", [session.InitiatorIdentity.Pkix.ToArray(), session.ResponderIdentity.Pkix.ToArray()],
                input => PublicIdentity.FromPkix(input), Kinds(KamuneError.InvalidPublicKey)),
            new("ProtocolVersion.Check", ["0.7.0"u8.ToArray(), "0.7.12"u8.ToArray(), "0.7.65535"u8.ToArray()],
                input => ProtocolVersion.Check(Encoding.UTF8.GetString(input), ProtocolVersion.Current).ThrowIfRejected(),
                Kinds(KamuneError.IncompatibleVersion)),
            new("Introduce (re-signed)", [session.IntroduceI],
                input => ReadIntroduce(Signed(input, MetadataFactory.Introduce(clock).ToByteArray())),
                Kinds(KamuneError.MalformedMessage, KamuneError.InvalidPublicKey, KamuneError.InvalidSignature, KamuneError.IncompatibleVersion)),
            new("Handshake request (re-signed)", [session.HandshakeRequest],
                input =>
                {
                    var received = ReceiveHandshake(input, Route.RequestHandshake);
                    HandshakeValidation.ValidateRequest(received);
                    Span<byte> ciphertext = stackalloc byte[MlKem768.CiphertextSize];
                    Span<byte> secret = stackalloc byte[MlKem768.SharedSecretSize];
                    MlKem768.Encapsulate(received.Key.Span, random, ciphertext, secret);
                    Span<byte> key = stackalloc byte[KeySchedule.KeySize];
                    KeySchedule.DirectionKey(secret, received.Salt.Span, received.SessionKey + received.SessionKey, Direction.ClientToServer, key);
                }, Kinds(KamuneError.MalformedMessage, KamuneError.InvalidHandshake)),
            new("Handshake response (re-signed)", [session.HandshakeResponse],
                input =>
                {
                    var received = ReceiveHandshake(input, Route.AcceptHandshake);
                    HandshakeValidation.ValidateResponse(received);
                    Span<byte> secret = stackalloc byte[MlKem768.SharedSecretSize];
                    kem.Decapsulate(received.Key.Span, secret);
                    Span<byte> token = stackalloc byte[KeySchedule.KeySize];
                    var sessionId = request.SessionKey + received.SessionKey;
                    KeySchedule.ChallengeToken(secret, sessionId, Direction.ServerToClient, KeySchedule.TranscriptHash(request, received), token);
                }, Kinds(KamuneError.MalformedMessage, KamuneError.InvalidHandshake)),
            new("BytesValue (re-signed, sealed)", session.BytesValues,
                input =>
                {
                    var payload = sealer.Seal(Signed(input, sessionMetadata));
                    var verified = Envelope.Open(opener.Open(payload), session.InitiatorIdentity);
                    ParseInner(BytesValue.Parser, ByteString.CopyFrom(verified.Data.Span), "BytesValue");
                }, Kinds(KamuneError.MalformedMessage)),
            new("IntroductionPhase.ReadIntroduce (re-signed)", [session.IntroduceI],
                input => IntroductionPhase.ReadIntroduce(Signed(input, MetadataFactory.Introduce(clock).ToByteArray()), ProtocolVersion.Current),
                Kinds(KamuneError.MalformedMessage, KamuneError.InvalidPublicKey, KamuneError.InvalidSignature, KamuneError.IncompatibleVersion, KamuneError.InvalidName)),
            new("SessionTransport.Open (re-signed BytesValue)", session.BytesValues,
                input => receiver.Open(sealer.Seal(Signed(input, sessionMetadata))), Kinds(KamuneError.MalformedMessage)),
            new("SessionTransport.Open (re-signed Metadata)", session.Metadata,
                input => receiver.Open(sealer.Seal(Signed(session.BytesValues[2], input))), Kinds(KamuneError.MalformedMessage, KamuneError.InvalidRoute)),
            new("Session payload pipeline", session.SessionPayloadsFromResponder,
                input =>
                {
                    var verified = Envelope.Open(responderOpener.Open(input), session.ResponderIdentity);
                    ParseInner(BytesValue.Parser, ByteString.CopyFrom(verified.Data.Span), "BytesValue");
                }, Kinds(KamuneError.DecryptionFailed, KamuneError.MalformedMessage, KamuneError.InvalidSignature, KamuneError.InvalidRoute)),
        };

        return targets.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Feeds <paramref name="stream"/> in chunks that depend only on the input, draining frames as a reader loop does.</summary>
    public static List<byte[]> DecodeStream(byte[] stream, int limit)
    {
        var chunking = new Random(stream.Length);
        return DecodeInChunks(stream, Enumerable.Repeat(0, int.MaxValue).Select(_ => 1 + chunking.Next(chunking.Next(2) == 0 ? 3 : 2048)), limit);
    }

    /// <summary>A TCP read loop: appends each chunk, drains every complete frame, then completes at end of stream.</summary>
    public static List<byte[]> DecodeInChunks(byte[] stream, IEnumerable<int> chunkSizes, int limit)
    {
        var decoder = new FrameDecoder(limit);
        var frames = new List<byte[]>();
        using var sizes = chunkSizes.GetEnumerator();
        for (var offset = 0; offset < stream.Length && sizes.MoveNext();)
        {
            var take = Math.Min(sizes.Current, stream.Length - offset);
            decoder.Append(stream.AsSpan(offset, take));
            offset += take;
            while (decoder.TryReadFrame(out var frame))
            {
                frames.Add(frame);
            }
        }

        decoder.Complete();
        return frames;
    }

    // A failed open leaves the HPKE sequence where it was (RFC 9180 5.2), so one tunnel serves every case until one opens.
    private static Action<byte[]> TunnelOpen(Func<ExchangeTunnel> fresh)
    {
        ExchangeTunnel? tunnel = null;
        return input =>
        {
            tunnel ??= fresh();
            tunnel.Open(input);
            tunnel.Dispose();
            tunnel = null;
        };
    }

    private static byte[] SmallFrames(IEnumerable<byte[]> frames) =>
        [.. frames.Where(f => f.Length <= 4096).SelectMany(f => FrameCodec.Encode(f))];

    private static IReadOnlySet<KamuneError> Kinds(params KamuneError[] kinds) => kinds.ToHashSet();
}

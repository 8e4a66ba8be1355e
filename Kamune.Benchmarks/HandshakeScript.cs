using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Crypto;
using Kamune.Protocol;
using Kamune.Wire;

namespace Kamune.Benchmarks;

/// <summary>One side's long-lived inputs to a handshake.</summary>
public sealed record HandshakeParty(IdentityKeyPair Identity, IRandomSource Random, IClock Clock);

/// <summary>
/// Both roles of a new session (protocol.md "Flow for a new session" steps 1-4) composed from the pure
/// library pieces as a session does it, with no actors and no I/O. Each role is a coroutine: it yields
/// the next frame payload it sends, or null when it needs the next frame from its inbox. A role ends
/// Established, holding its session sealer and opener, which it then disposes.
/// </summary>
public static class HandshakeScript
{
    /// <summary>Runs both roles against each other; returns the frames each sent, in order.</summary>
    public static (List<byte[]> FromInitiator, List<byte[]> FromResponder) RunBoth(HandshakeParty initiator, HandshakeParty responder)
    {
        var toInitiator = new Queue<byte[]>();
        var toResponder = new Queue<byte[]>();
        var sent = (new List<byte[]>(), new List<byte[]>());
        using var i = Initiator(initiator, toInitiator).GetEnumerator();
        using var r = Responder(responder, toResponder).GetEnumerator();
        bool iDone = false, rDone = false, iWaiting = false, rWaiting = false;
        while (!(iDone && rDone))
        {
            var progressed = Step(i, toInitiator, toResponder, sent.Item1, ref iDone, ref iWaiting)
                | Step(r, toResponder, toInitiator, sent.Item2, ref rDone, ref rWaiting);
            Expect.That(progressed, "one role to make progress (no deadlock)");
        }

        return sent;
    }

    /// <summary>
    /// Runs one role against frames recorded from its peer; returns the frames it sent. With the same
    /// random seed and clock the role sends the same frames again, so the recording stays valid.
    /// </summary>
    public static List<byte[]> Replay(
        Func<HandshakeParty, Queue<byte[]>, IEnumerable<byte[]?>> role, HandshakeParty me, IReadOnlyList<byte[]> peerFrames)
    {
        var sent = new List<byte[]>();
        foreach (var frame in role(me, new Queue<byte[]>(peerFrames)))
        {
            if (frame is not null)
            {
                sent.Add(frame);
            }
        }

        return sent;
    }

    public static IEnumerable<byte[]?> Initiator(HandshakeParty me, Queue<byte[]> inbox)
    {
        // Step 1: exchange. X-Wing key pair, then HPKE recipient (enc_R) and sender (enc_I).
        var exchange = new ExchangeInitiator(me.Random);
        yield return exchange.FirstFrame();
        yield return null;
        var (tunnel, thirdFrame) = exchange.OnResponderHello(inbox.Dequeue());
        using (tunnel)
        {
            yield return thirdFrame;

            // Step 2: introductions, I first.
            yield return tunnel.Seal(Introduction(me));
            yield return null;
            var peer = ReceiveIntroduction(tunnel.Open(inbox.Dequeue()));

            // Step 3: ML-KEM-768 handshake.
            using var kem = MlKem768KeyPair.Generate(me.Random);
            var salt = new byte[KeySchedule.SaltSize];
            me.Random.Fill(salt);
            var request = new Handshake
            {
                Key = ByteString.CopyFrom(kem.EncapsulationKey.Span),
                Salt = ByteString.CopyFrom(salt),
                SessionKey = SessionId.NewHalf(me.Random),
            };
            yield return tunnel.Seal(Envelope.Encode(me.Identity, request.ToByteArray(), MetadataFactory.Handshake(Route.RequestHandshake, me.Clock, me.Random), me.Random));
            yield return null;
            var reply = Envelope.Open(tunnel.Open(inbox.Dequeue()), peer);
            Expect.That(reply.Route == Route.AcceptHandshake, "ACCEPT_HANDSHAKE");
            var response = Handshake.Parser.ParseFrom(reply.Data.Span);
            HandshakeValidation.ValidateResponse(response);
            var secret = new byte[MlKem768.SharedSecretSize];
            kem.Decapsulate(response.Key.Span, secret);
            var keys = SessionKeys.Derive(secret, request, response, Direction.ClientToServer, me.Random);
            using var sealer = keys.Sealer;
            using var opener = keys.Opener;

            // Step 4: I challenges first (seq 1), then echoes R's challenge (seq 2).
            yield return tunnel.Seal(sealer.Seal(Signed(me, keys.OwnToken, Route.SendChallenge, 1)));
            yield return null;
            var echo = Receive(tunnel, opener, inbox.Dequeue(), peer, Route.VerifyChallenge, 1);
            Expect.That(CryptographicOperations.FixedTimeEquals(echo, keys.OwnToken), "R to echo the C2S challenge");
            yield return null;
            var challenge = Receive(tunnel, opener, inbox.Dequeue(), peer, Route.SendChallenge, 2);
            yield return tunnel.Seal(sealer.Seal(Signed(me, challenge, Route.VerifyChallenge, 2)));
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public static IEnumerable<byte[]?> Responder(HandshakeParty me, Queue<byte[]> inbox)
    {
        // Step 1: exchange. HPKE sender to I's key, own X-Wing key pair, then HPKE recipient from enc_I.
        var exchange = new ExchangeResponder(me.Random);
        yield return null;
        yield return exchange.OnInitiatorKey(inbox.Dequeue());
        yield return null;
        using var tunnel = exchange.OnInitiatorEnc(inbox.Dequeue());

        // Step 2: introductions, R answers.
        yield return null;
        var peer = ReceiveIntroduction(tunnel.Open(inbox.Dequeue()));
        yield return tunnel.Seal(Introduction(me));

        // Step 3: ML-KEM-768 handshake.
        yield return null;
        var received = Envelope.Open(tunnel.Open(inbox.Dequeue()), peer);
        Expect.That(received.Route == Route.RequestHandshake, "REQUEST_HANDSHAKE");
        var request = Handshake.Parser.ParseFrom(received.Data.Span);
        HandshakeValidation.ValidateRequest(request);
        var ciphertext = new byte[MlKem768.CiphertextSize];
        var secret = new byte[MlKem768.SharedSecretSize];
        MlKem768.Encapsulate(request.Key.Span, me.Random, ciphertext, secret);
        var salt = new byte[KeySchedule.SaltSize];
        me.Random.Fill(salt);
        var response = new Handshake { Key = ByteString.CopyFrom(ciphertext), Salt = ByteString.CopyFrom(salt), SessionKey = SessionId.NewHalf(me.Random) };
        yield return tunnel.Seal(Envelope.Encode(me.Identity, response.ToByteArray(), MetadataFactory.Handshake(Route.AcceptHandshake, me.Clock, me.Random), me.Random));
        var keys = SessionKeys.Derive(secret, request, response, Direction.ServerToClient, me.Random);
        using var sealer = keys.Sealer;
        using var opener = keys.Opener;

        // Step 4: R echoes I's challenge (seq 1), then challenges (seq 2).
        yield return null;
        var challenge = Receive(tunnel, opener, inbox.Dequeue(), peer, Route.SendChallenge, 1);
        yield return tunnel.Seal(sealer.Seal(Signed(me, challenge, Route.VerifyChallenge, 1)));
        yield return tunnel.Seal(sealer.Seal(Signed(me, keys.OwnToken, Route.SendChallenge, 2)));
        yield return null;
        var echo = Receive(tunnel, opener, inbox.Dequeue(), peer, Route.VerifyChallenge, 2);
        Expect.That(CryptographicOperations.FixedTimeEquals(echo, keys.OwnToken), "I to echo the S2C challenge");
        CryptographicOperations.ZeroMemory(secret);
    }

    private static bool Step(
        IEnumerator<byte[]?> role, Queue<byte[]> inbox, Queue<byte[]> peerInbox, List<byte[]> sent, ref bool done, ref bool waiting)
    {
        if (done || (waiting && inbox.Count == 0))
        {
            return false;
        }

        waiting = false;
        if (!role.MoveNext())
        {
            done = true;
        }
        else if (role.Current is null)
        {
            waiting = true;
        }
        else
        {
            sent.Add(role.Current);
            peerInbox.Enqueue(role.Current);
        }

        return true;
    }

    private static byte[] Introduction(HandshakeParty me)
    {
        var introduce = new Introduce
        {
            Name = me.Identity.PublicIdentity.DefaultName,
            PublicKey = ByteString.CopyFrom(me.Identity.PublicIdentity.Pkix.Span),
            AppVersion = ProtocolVersion.Current.ToString(),
        };
        return Envelope.Encode(me.Identity, introduce.ToByteArray(), MetadataFactory.Introduce(me.Clock), me.Random);
    }

    // protocol.md "Flow" step 2: the key inside the Introduce verifies its own envelope.
    private static PublicIdentity ReceiveIntroduction(byte[] signedTransport)
    {
        var transport = Envelope.Parse(signedTransport);
        var introduce = Introduce.Parser.ParseFrom(transport.Data);
        ProtocolVersion.Check(introduce.AppVersion, ProtocolVersion.Current).ThrowIfRejected();
        var peer = PublicIdentity.FromPkix(introduce.PublicKey.Span);
        Expect.That(Envelope.Verify(transport, peer).Route == Route.Identity, "IDENTITY");
        return peer;
    }

    private static byte[] Signed(HandshakeParty me, byte[] value, Route route, ulong sequence) =>
        Envelope.Encode(
            me.Identity,
            new BytesValue { Value = ByteString.CopyFrom(value) }.ToByteArray(),
            MetadataFactory.Session(route, sequence, me.Clock, me.Random),
            me.Random);

    // Challenge frames are session-encrypted inside the tunnel (protocol.md "Layers" 4).
    private static byte[] Receive(ExchangeTunnel tunnel, SessionOpener opener, byte[] frame, PublicIdentity peer, Route route, ulong sequence)
    {
        var envelope = Envelope.Open(opener.Open(tunnel.Open(frame)), peer);
        Expect.That(envelope.Route == route && envelope.Sequence == sequence, $"{route} at sequence {sequence}");
        return BytesValue.Parser.ParseFrom(envelope.Data.Span).Value.ToByteArray();
    }

    /// <summary>Step 3's key schedule for one role: both direction keys, the transcript hash and this role's challenge token.</summary>
    private sealed record SessionKeys(SessionSealer Sealer, SessionOpener Opener, byte[] OwnToken)
    {
        public static SessionKeys Derive(byte[] secret, Handshake request, Handshake response, Direction outgoing, IRandomSource random)
        {
            var sessionId = request.SessionKey + response.SessionKey;
            var c2s = new byte[KeySchedule.KeySize];
            var s2c = new byte[KeySchedule.KeySize];
            KeySchedule.DirectionKey(secret, request.Salt.Span, sessionId, Direction.ClientToServer, c2s);
            KeySchedule.DirectionKey(secret, response.Salt.Span, sessionId, Direction.ServerToClient, s2c);
            var token = new byte[KeySchedule.KeySize];
            KeySchedule.ChallengeToken(secret, sessionId, outgoing, KeySchedule.TranscriptHash(request, response), token);
            var (sendKey, receiveKey) = outgoing == Direction.ClientToServer ? (c2s, s2c) : (s2c, c2s);
            var keys = new SessionKeys(new SessionSealer(sendKey, random), new SessionOpener(receiveKey), token);
            CryptographicOperations.ZeroMemory(c2s);
            CryptographicOperations.ZeroMemory(s2c);
            return keys;
        }
    }
}

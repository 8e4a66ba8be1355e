using System.Security.Cryptography;
using Google.Protobuf;
using Kamune.Crypto;
using Kamune.Wire;

namespace Kamune.Protocol.Session;

/// <summary>
/// What a completed handshake hands to the challenge phase: the session ID, the two one-way ciphers and this
/// side's challenge token. The ML-KEM secret and the raw keys are already wiped. The ciphers pass to the
/// <see cref="SessionTransport"/> built from them, which disposes them; Dispose here wipes the token.
/// </summary>
internal sealed class HandshakeResult : IDisposable
{
    private readonly byte[] _challengeToken;

    internal HandshakeResult(string sessionId, SessionSealer sealer, SessionOpener opener, byte[] challengeToken)
    {
        SessionId = sessionId;
        Sealer = sealer;
        Opener = opener;
        _challengeToken = challengeToken;
    }

    public string SessionId { get; }

    public SessionSealer Sealer { get; }

    public SessionOpener Opener { get; }

    /// <summary>The token this side sends on SEND_CHALLENGE and expects echoed (protocol.md step 4).</summary>
    public ReadOnlySpan<byte> ChallengeToken => _challengeToken;

    public void Dispose() => CryptographicOperations.ZeroMemory(_challengeToken);

    public override string ToString() => $"HandshakeResult({SessionId})";
}

/// <summary>
/// Handshake (protocol.md "Flow" step 3), inside the tunnel, signed, Sequence 0, Metadata with an ID:
/// 1. I: ephemeral ML-KEM-768 key pair, 16-byte salt, 12-character session prefix -> REQUEST_HANDSHAKE.
/// 2. R: validates salt and prefix, encapsulates, own salt and suffix -> ACCEPT_HANDSHAKE.
/// 3. Both: sessionID = prefix + suffix; direction keys from the secret and the sender's salt; the transcript
///    hash of the six Handshake fields; this side's challenge token.
/// </summary>
internal static class HandshakePhase
{
    /// <summary>
    /// Derives what both roles derive once the secret and both Handshake messages are known. The sending
    /// direction is the role's own: I sends client-to-server, R sends server-to-client.
    /// </summary>
    internal static HandshakeResult Derive(
        SessionRole role, ReadOnlySpan<byte> secret, Handshake request, Handshake response, IRandomSource random)
    {
        var sessionId = request.SessionKey + response.SessionKey;
        var (send, receive) = role == SessionRole.Initiator
            ? (Direction.ClientToServer, Direction.ServerToClient)
            : (Direction.ServerToClient, Direction.ClientToServer);
        var (sendSalt, receiveSalt) = role == SessionRole.Initiator
            ? (request.Salt, response.Salt)
            : (response.Salt, request.Salt);

        Span<byte> key = stackalloc byte[KeySchedule.KeySize];
        SessionSealer? sealer = null;
        try
        {
            KeySchedule.DirectionKey(secret, sendSalt.Span, sessionId, send, key);
            sealer = new SessionSealer(key, random);
            KeySchedule.DirectionKey(secret, receiveSalt.Span, sessionId, receive, key);
            var opener = new SessionOpener(key);

            // Pinned like the session keys; HandshakeResult.Dispose wipes it.
            var token = GC.AllocateArray<byte>(KeySchedule.KeySize, pinned: true);
            KeySchedule.ChallengeToken(secret, sessionId, send, KeySchedule.TranscriptHash(request, response), token);
            return new HandshakeResult(sessionId, sealer, opener, token);
        }
        catch
        {
            sealer?.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Opens a handshake envelope signed by the peer, on the one route this step allows, and checks its fields.</summary>
    internal static Handshake ReadHandshake(ReadOnlySpan<byte> signedTransport, PublicIdentity remote, Route expected)
    {
        var verified = Envelope.Open(signedTransport, remote);
        RoutePolicy.Expect(expected, verified.Route, SessionPhase.Handshake);
        var handshake = InnerMessage.Parse(Handshake.Parser, verified.Data, "Handshake");
        if (expected == Route.RequestHandshake)
        {
            HandshakeValidation.ValidateRequest(handshake);
        }
        else
        {
            HandshakeValidation.ValidateResponse(handshake);
        }

        return handshake;
    }

    internal static byte[] Salt(IRandomSource random)
    {
        var salt = new byte[KeySchedule.SaltSize];
        random.Fill(salt);
        return salt;
    }
}

/// <summary>The initiator's handshake: <see cref="CreateRequest"/>, then <see cref="OnResponse"/> exactly once each.</summary>
internal sealed class HandshakeInitiator : IDisposable
{
    private readonly IdentityKeyPair _local;
    private readonly PublicIdentity _remote;
    private readonly IClock _clock;
    private readonly IRandomSource _random;
    private MlKem768KeyPair? _kem;
    private Handshake? _request;

    public HandshakeInitiator(IdentityKeyPair local, PublicIdentity remote, IClock clock, IRandomSource random)
    {
        _local = local ?? throw new ArgumentNullException(nameof(local));
        _remote = remote ?? throw new ArgumentNullException(nameof(remote));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _random = random ?? throw new ArgumentNullException(nameof(random));
    }

    /// <summary>The signed, padded REQUEST_HANDSHAKE envelope (to be sealed into the tunnel).</summary>
    public byte[] CreateRequest()
    {
        if (_request is not null)
        {
            throw new InvalidOperationException("Handshake initiator: expected CreateRequest once; got a repeat call.");
        }

        _kem = MlKem768KeyPair.Generate(_random);
        _request = new Handshake
        {
            Key = ByteString.CopyFrom(_kem.EncapsulationKey.Span),
            Salt = ByteString.CopyFrom(HandshakePhase.Salt(_random)),
            SessionKey = SessionId.NewHalf(_random),
        };
        return Envelope.Encode(
            _local, _request.ToByteArray(), MetadataFactory.Handshake(Route.RequestHandshake, _clock, _random), _random);
    }

    /// <summary>Verifies the ACCEPT_HANDSHAKE envelope, decapsulates and derives the session; the KEM key pair is wiped.</summary>
    public HandshakeResult OnResponse(ReadOnlySpan<byte> signedTransport)
    {
        if (_request is null || _kem is null)
        {
            throw new InvalidOperationException("Handshake initiator: expected OnResponse once, after CreateRequest; got a call out of turn.");
        }

        var response = HandshakePhase.ReadHandshake(signedTransport, _remote, Route.AcceptHandshake);
        Span<byte> secret = stackalloc byte[MlKem768.SharedSecretSize];
        try
        {
            _kem.Decapsulate(response.Key.Span, secret);
            return HandshakePhase.Derive(SessionRole.Initiator, secret, _request, response, _random);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            Dispose();
        }
    }

    public void Dispose()
    {
        _kem?.Dispose();
        _kem = null;
    }

    public override string ToString() => _request is null ? "HandshakeInitiator" : "HandshakeInitiator(requested)";
}

/// <summary>The responder's handshake: one call to <see cref="OnRequest"/>.</summary>
internal sealed class HandshakeResponder
{
    private readonly IdentityKeyPair _local;
    private readonly PublicIdentity _remote;
    private readonly IClock _clock;
    private readonly IRandomSource _random;
    private bool _done;

    public HandshakeResponder(IdentityKeyPair local, PublicIdentity remote, IClock clock, IRandomSource random)
    {
        _local = local ?? throw new ArgumentNullException(nameof(local));
        _remote = remote ?? throw new ArgumentNullException(nameof(remote));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _random = random ?? throw new ArgumentNullException(nameof(random));
    }

    /// <summary>Verifies the REQUEST_HANDSHAKE envelope; returns the ACCEPT_HANDSHAKE envelope and the derived session.</summary>
    public (byte[] Response, HandshakeResult Result) OnRequest(ReadOnlySpan<byte> signedTransport)
    {
        if (_done)
        {
            throw new InvalidOperationException("Handshake responder: expected OnRequest once; got a repeat call.");
        }

        _done = true;
        var request = HandshakePhase.ReadHandshake(signedTransport, _remote, Route.RequestHandshake);
        Span<byte> secret = stackalloc byte[MlKem768.SharedSecretSize];
        try
        {
            var ciphertext = new byte[MlKem768.CiphertextSize];
            MlKem768.Encapsulate(request.Key.Span, _random, ciphertext, secret);
            var response = new Handshake
            {
                Key = ByteString.CopyFrom(ciphertext),
                Salt = ByteString.CopyFrom(HandshakePhase.Salt(_random)),
                SessionKey = SessionId.NewHalf(_random),
            };
            var envelope = Envelope.Encode(
                _local, response.ToByteArray(), MetadataFactory.Handshake(Route.AcceptHandshake, _clock, _random), _random);
            return (envelope, HandshakePhase.Derive(SessionRole.Responder, secret, request, response, _random));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public override string ToString() => _done ? "HandshakeResponder(done)" : "HandshakeResponder";
}

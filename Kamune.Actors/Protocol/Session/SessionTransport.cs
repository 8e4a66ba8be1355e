using System.Buffers;
using System.Security.Cryptography;
using Kamune.Crypto;
using Kamune.Wire;

namespace Kamune.Protocol.Session;

/// <summary>
/// One verified inbound session message: its route, sequence, send time and BytesValue payload. A value type: one is
/// made per received message and it travels inside lists and actor messages, so a struct saves an object per message.
/// </summary>
internal readonly record struct InboundMessage(Route Route, ulong Sequence, DateTimeOffset Timestamp, ReadOnlyMemory<byte> Value);

/// <summary>
/// The session layer used by the challenge exchange and the established session (protocol.md "Flow" steps 4-5):
/// outgoing BytesValue -> Metadata{ID, Timestamp, Sequence, Route} -> signed, padded envelope -> XChaCha20-Poly1305;
/// incoming in reverse (decrypt, then verify the signature, then decode). Sequence numbers are assigned here, from
/// 1; checking the received ones is <see cref="ReceiveSequence"/>'s job.
/// </summary>
internal sealed class SessionTransport : IDisposable
{
    /// <summary>Largest BytesValue payload: its marshaled form (payload + 4 bytes) must fit the 61,439-byte cap.</summary>
    public const int MaxPayload = Envelope.MaxMessageSize - 4;

    private readonly IdentityKeyPair _local;
    private readonly PublicIdentity _remote;
    private readonly SessionSealer _sealer;
    private readonly SessionOpener _opener;
    private readonly IClock _clock;
    private readonly IRandomSource _random;
    private ulong _lastSent;

    public SessionTransport(
        string sessionId, IdentityKeyPair local, PublicIdentity remote, SessionSealer sealer, SessionOpener opener, IClock clock, IRandomSource random)
    {
        SessionId = sessionId ?? throw new ArgumentNullException(nameof(sessionId));
        _local = local ?? throw new ArgumentNullException(nameof(local));
        _remote = remote ?? throw new ArgumentNullException(nameof(remote));
        _sealer = sealer ?? throw new ArgumentNullException(nameof(sealer));
        _opener = opener ?? throw new ArgumentNullException(nameof(opener));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _random = random ?? throw new ArgumentNullException(nameof(random));
    }

    public string SessionId { get; }

    /// <summary>The sequence number of the last message sealed; 0 before the first.</summary>
    public ulong LastSentSequence => _lastSent;

    /// <summary>
    /// Seals one message as the session payload of the next sequence number. A payload above <see cref="MaxPayload"/>
    /// is <see cref="KamuneError.MessageTooLarge"/> and uses no sequence number.
    /// </summary>
    public byte[] Seal(Route route, ReadOnlySpan<byte> value, out ulong sequence)
    {
        if (!RoutePolicy.IsDefined(route))
        {
            throw new ArgumentOutOfRangeException(nameof(route), route, "Session message: expected a route 1..13.");
        }

        if (value.Length > MaxPayload)
        {
            throw new KamuneProtocolException(
                KamuneError.MessageTooLarge, $"Message payload: expected at most {MaxPayload} bytes, got {value.Length}.");
        }

        // Draw order as in the Go-shaped path: ID (26 bytes), bump (4 bytes), padding; seeded sessions replay exactly.
        var next = _lastSent + 1;
        Span<byte> metadata = stackalloc byte[MetadataFactory.MaxSessionLength];
        metadata = metadata[..MetadataFactory.WriteSession(route, next, _clock, _random, metadata)];
        var length = Envelope.PlanLength(Envelope.BytesValueLength(value.Length), metadata.Length, _random, out var padLength);

        // The envelope is written where its ciphertext goes and sealed in place: the returned frame is the only allocation.
        var payload = new byte[length + SessionSealer.Overhead];
        try
        {
            Envelope.WriteBytesValueTransport(_local, value, metadata, padLength, _random, payload.AsSpan(XChaCha20Poly1305.NonceSize, length));
            _sealer.SealInPlace(payload, length);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(payload);
            throw;
        }

        _lastSent = next;
        sequence = next;
        return payload;
    }

    /// <summary>
    /// Decrypts, verifies the peer's signature and decodes one session payload (the sequence is not judged here).
    /// The plaintext lives in a pooled buffer, cleared before it goes back; the payload value is the one copy made.
    /// </summary>
    public InboundMessage Open(ReadOnlySpan<byte> payload)
    {
        var decrypted = Decrypt(payload);
        try
        {
            return decrypted.Read(_remote);
        }
        finally
        {
            decrypted.Release();
        }
    }

    /// <summary>
    /// The first half of <see cref="Open"/>: decrypts one session payload into a pooled buffer and leaves the
    /// signature check and decoding (<see cref="DecryptedPayload.Read"/>, which needs only <see cref="Remote"/>) to
    /// the caller, who must <see cref="DecryptedPayload.Release"/> it. A payload that does not decrypt throws here.
    /// </summary>
    internal DecryptedPayload Decrypt(ReadOnlySpan<byte> payload)
    {
        var length = _opener.PlaintextLength(payload);
        var plaintext = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            _opener.Open(payload, plaintext.AsSpan(0, length));
            return new DecryptedPayload(plaintext, length);
        }
        catch
        {
            new DecryptedPayload(plaintext, length).Release();
            throw;
        }
    }

    /// <summary>The peer's identity, whose signature every received message must carry.</summary>
    public PublicIdentity Remote => _remote;

    /// <summary>
    /// protocol.md layers 5 and 6 on a decrypted SignedTransport, in the receiver's order: parse, check the signature
    /// over the Metadata bytes as received, decode Metadata and require a route 1..13, decode the BytesValue, check the
    /// Timestamp. Same verdicts and error kinds as Envelope.Open + BytesValue.Parser + TimestampOf, without their copies.
    /// </summary>
    internal static InboundMessage Read(ReadOnlySpan<byte> signedTransport, PublicIdentity remote)
    {
        var transport = SessionWireReader.ReadSignedTransport(signedTransport);
        Envelope.VerifySignature(transport.Metadata, transport.Data, transport.Signature, remote);
        var metadata = SessionWireReader.ReadMetadata(transport.Metadata);
        Envelope.CheckRoute(metadata.Route);
        var value = SessionWireReader.ReadBytesValue(transport.Data, metadata.Route);
        var timestamp = InnerMessage.TimestampOf(metadata.HasTimestamp, metadata.Seconds, metadata.Nanos);
        return new InboundMessage(metadata.Route, metadata.Sequence, timestamp, value.ToArray());
    }

    public void Dispose()
    {
        _sealer.Dispose();
        _opener.Dispose();
    }

    public override string ToString() => $"SessionTransport({SessionId}, sent {_lastSent})";
}

/// <summary>
/// The receive side of protocol.md step 5: each Sequence must be exactly last + 1, starting at 1 with the first
/// challenge message. A duplicate or a gap is <see cref="KamuneError.OutOfSync"/> and the session cannot go on.
/// </summary>
internal sealed class ReceiveSequence
{
    public ulong Last { get; private set; }

    public ulong Expected => Last + 1;

    /// <summary>Accepts <paramref name="got"/> when it is the expected number; otherwise leaves the state unchanged.</summary>
    public bool TryAccept(ulong got)
    {
        if (got != Expected)
        {
            return false;
        }

        Last = got;
        return true;
    }

    public void Accept(ulong got)
    {
        var expected = Expected;
        if (!TryAccept(got))
        {
            throw new KamuneProtocolException(KamuneError.OutOfSync, Describe(expected, got));
        }
    }

    public static string Describe(ulong expected, ulong got) =>
        got < expected
            ? $"Sequence: expected {expected}, got {got} (a duplicate)."
            : $"Sequence: expected {expected}, got {got} (messages missing).";
}

/// <summary>
/// A decrypted SignedTransport in a pooled buffer, not yet verified (<see cref="SessionTransport.Decrypt"/>). Verifying
/// needs no secret, so it may happen on another thread than the decryption; <see cref="Release"/> clears the buffer
/// and returns it to the pool. Internal: a copy released twice would hand one buffer to two renters.
/// </summary>
internal readonly struct DecryptedPayload
{
    private readonly byte[] _buffer;
    private readonly int _length;

    internal DecryptedPayload(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    /// <summary>protocol.md layers 5 and 6: the signature check against <paramref name="remote"/>, then decoding.</summary>
    public InboundMessage Read(PublicIdentity remote) => SessionTransport.Read(_buffer.AsSpan(0, _length), remote);

    public void Release()
    {
        CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}

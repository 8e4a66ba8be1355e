using System.Buffers;
using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Abstractions;
using Kamune.Identity;
using Kamune.Wire;

namespace Kamune.Protocol.Session;

/// <summary>One verified inbound session message: its route, sequence, send time and BytesValue payload.</summary>
public sealed record InboundMessage(Route Route, ulong Sequence, DateTimeOffset Timestamp, ReadOnlyMemory<byte> Value);

/// <summary>
/// The session layer used by the challenge exchange and the established session (protocol.md "Flow" steps 4-5):
/// outgoing BytesValue -> Metadata{ID, Timestamp, Sequence, Route} -> signed, padded envelope -> XChaCha20-Poly1305;
/// incoming in reverse (decrypt, then verify the signature, then decode). Sequence numbers are assigned here, from
/// 1; checking the received ones is <see cref="ReceiveSequence"/>'s job.
/// </summary>
public sealed class SessionTransport : IDisposable
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

        var next = _lastSent + 1;
        var inner = ArrayPool<byte>.Shared.Rent(value.Length + 6);
        var metadata = MetadataFactory.Session(route, next, _clock, _random).ToByteArray();
        var envelope = ArrayPool<byte>.Shared.Rent(Envelope.MaxEncodedLength(metadata.Length, value.Length + 6));
        try
        {
            var innerLength = WriteBytesValue(value, inner);
            var length = Envelope.Encode(_local, inner.AsSpan(0, innerLength), metadata, _random, envelope);
            var payload = new byte[length + SessionSealer.Overhead];
            _sealer.Seal(envelope.AsSpan(0, length), payload);
            _lastSent = next;
            sequence = next;
            return payload;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(inner.AsSpan(0, Math.Min(inner.Length, value.Length + 6)));
            ArrayPool<byte>.Shared.Return(inner);
            ArrayPool<byte>.Shared.Return(envelope, clearArray: true);
        }
    }

    /// <summary>Decrypts, verifies the peer's signature and decodes one session payload (the sequence is not judged here).</summary>
    public InboundMessage Open(ReadOnlySpan<byte> payload)
    {
        var plaintext = _opener.Open(payload);
        var verified = Envelope.Open(plaintext, _remote);
        var value = InnerMessage.Parse(BytesValue.Parser, verified.Data, $"{verified.Route} BytesValue");
        return new InboundMessage(verified.Route, verified.Sequence, InnerMessage.TimestampOf(verified.Metadata), value.Value.Memory);
    }

    public void Dispose()
    {
        _sealer.Dispose();
        _opener.Dispose();
    }

    public override string ToString() => $"SessionTransport({SessionId}, sent {_lastSent})";

    // google.protobuf.BytesValue { bytes value = 1; }: an empty value is omitted entirely, as proto3 marshals it.
    private static int WriteBytesValue(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        if (value.IsEmpty)
        {
            return 0;
        }

        destination[0] = 0x0a;
        var offset = 1;
        var length = (uint)value.Length;
        while (length >= 0x80)
        {
            destination[offset++] = (byte)(length | 0x80);
            length >>= 7;
        }

        destination[offset++] = (byte)length;
        value.CopyTo(destination[offset..]);
        return offset + value.Length;
    }
}

/// <summary>
/// The receive side of protocol.md step 5: each Sequence must be exactly last + 1, starting at 1 with the first
/// challenge message. A duplicate or a gap is <see cref="KamuneError.OutOfSync"/> and the session cannot go on.
/// </summary>
public sealed class ReceiveSequence
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

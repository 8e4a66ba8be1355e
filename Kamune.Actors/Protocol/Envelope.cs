using System.Buffers;
using System.Security.Cryptography;
using Google.Protobuf;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Protocol;

/// <summary>A SignedTransport whose signature checked out and whose route is a real one.</summary>
internal sealed record VerifiedEnvelope(ReadOnlyMemory<byte> Data, Metadata Metadata)
{
    public Route Route => Metadata.Route;

    public ulong Sequence => Metadata.Sequence;
}

/// <summary>
/// The signed envelope of protocol.md layer 5: SignedTransport { Data = 1, Signature = 2, Metadata = 3, Padding = 4 },
/// signed over "kamune/transport-sign/v1" || uvarint(len(Metadata)) || Metadata || Data and padded to a bucket.
/// </summary>
internal static class Envelope
{
    /// <summary>Largest inner message: 65,535 - 4,096 (protocol.md "Padding"). A BytesValue payload may be 4 bytes less.</summary>
    public const int MaxMessageSize = 61439;

    public const string SigningContext = "kamune/transport-sign/v1";

    private static ReadOnlySpan<byte> SigningContextBytes => "kamune/transport-sign/v1"u8;

    public static int SigningInputLength(int metadataLength, int dataLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(metadataLength);
        ArgumentOutOfRangeException.ThrowIfNegative(dataLength);
        return SigningContextBytes.Length + Padding.VarintSize((uint)metadataLength) + metadataLength + dataLength;
    }

    /// <summary>Writes the signing input into <paramref name="destination"/> and returns its length.</summary>
    public static int WriteSigningInput(ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var length = SigningInputLength(metadata.Length, data.Length);
        if (destination.Length < length)
        {
            throw new ArgumentException($"Signing input buffer: expected at least {length} bytes, got {destination.Length}.", nameof(destination));
        }

        SigningContextBytes.CopyTo(destination);
        var offset = SigningContextBytes.Length;
        offset += WriteVarint((uint)metadata.Length, destination[offset..]);
        metadata.CopyTo(destination[offset..]);
        data.CopyTo(destination[(offset + metadata.Length)..]);
        return length;
    }

    public static byte[] SigningInput(ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> data)
    {
        var input = new byte[SigningInputLength(metadata.Length, data.Length)];
        WriteSigningInput(metadata, data, input);
        return input;
    }

    /// <summary>Size of the SignedTransport with an empty Padding field: the "base size" the buckets are chosen from.</summary>
    public static int UnpaddedLength(int metadataLength, int dataLength) =>
        FieldSize(dataLength) + FieldSize(PublicIdentity.SignatureLength) + FieldSize(metadataLength);

    /// <summary>A destination of this size always holds <see cref="Encode(IdentityKeyPair, ReadOnlySpan{byte}, ReadOnlySpan{byte}, IRandomSource, Span{byte})"/>'s output.</summary>
    public static int MaxEncodedLength(int metadataLength, int dataLength) =>
        Math.Max(UnpaddedLength(metadataLength, dataLength), Padding.LastBucket);

    public static byte[] Encode(IdentityKeyPair signer, ReadOnlySpan<byte> data, Metadata metadata, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return Encode(signer, data, metadata.ToByteArray(), random);
    }

    /// <summary>Signs, pads and serializes; <paramref name="metadata"/> is the already-serialized Metadata.</summary>
    public static byte[] Encode(IdentityKeyPair signer, ReadOnlySpan<byte> data, ReadOnlySpan<byte> metadata, IRandomSource random)
    {
        var padLength = Plan(data.Length, metadata.Length, random, out var baseSize);
        var output = new byte[baseSize + Padding.PaddedFieldSize(padLength)];
        WriteTransport(signer, data, metadata, padLength, random, output);
        return output;
    }

    /// <summary>Span variant for the hot path: writes into <paramref name="destination"/> (see <see cref="MaxEncodedLength"/>) and returns the length.</summary>
    public static int Encode(
        IdentityKeyPair signer, ReadOnlySpan<byte> data, ReadOnlySpan<byte> metadata, IRandomSource random, Span<byte> destination)
    {
        var padLength = Plan(data.Length, metadata.Length, random, out var baseSize);
        var length = baseSize + Padding.PaddedFieldSize(padLength);
        if (destination.Length < length)
        {
            throw new ArgumentException($"Envelope buffer: expected at least {length} bytes, got {destination.Length}.", nameof(destination));
        }

        WriteTransport(signer, data, metadata, padLength, random, destination[..length]);
        return length;
    }

    /// <summary>Reads a SignedTransport without trusting any of it; bad protobuf is <see cref="KamuneError.MalformedMessage"/>.</summary>
    public static SignedTransport Parse(ReadOnlySpan<byte> signedTransport)
    {
        try
        {
            return SignedTransport.Parser.ParseFrom(signedTransport);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new KamuneProtocolException(
                KamuneError.MalformedMessage, $"SignedTransport: expected valid protobuf, got {signedTransport.Length} bytes that do not parse ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Checks the signature over the Metadata bytes exactly as received (never re-serialized) and the Data, then
    /// decodes Metadata and requires a defined route other than INVALID (protocol.md layer 5, "Routes").
    /// </summary>
    public static VerifiedEnvelope Verify(SignedTransport transport, PublicIdentity signer)
    {
        ArgumentNullException.ThrowIfNull(transport);
        VerifySignature(transport.Metadata.Span, transport.Data.Span, transport.Signature.Span, signer);

        var metadataBytes = transport.Metadata.Span;
        Metadata metadata;
        try
        {
            metadata = Metadata.Parser.ParseFrom(metadataBytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new KamuneProtocolException(
                KamuneError.MalformedMessage, $"Metadata: expected valid protobuf, got {metadataBytes.Length} bytes that do not parse ({e.Message}).", e);
        }

        CheckRoute(metadata.Route);
        return new VerifiedEnvelope(transport.Data.Memory, metadata);
    }

    /// <summary>
    /// The signature check of protocol.md layer 5 over the Metadata bytes exactly as received and the Data: a
    /// signature that is not 64 bytes or does not verify is <see cref="KamuneError.InvalidSignature"/>.
    /// </summary>
    internal static void VerifySignature(ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, PublicIdentity signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        if (signature.Length != PublicIdentity.SignatureLength)
        {
            throw new KamuneProtocolException(
                KamuneError.InvalidSignature, $"Signature: expected {PublicIdentity.SignatureLength} bytes, got {signature.Length}.");
        }

        var inputLength = SigningInputLength(metadata.Length, data.Length);
        var input = ArrayPool<byte>.Shared.Rent(inputLength);
        bool valid;
        try
        {
            WriteSigningInput(metadata, data, input);
            valid = signer.Verify(input.AsSpan(0, inputLength), signature);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input.AsSpan(0, inputLength));
            ArrayPool<byte>.Shared.Return(input);
        }

        if (!valid)
        {
            throw new KamuneProtocolException(
                KamuneError.InvalidSignature, $"Signature: expected a valid Ed25519 signature by {signer.DefaultName}, got one that does not verify.");
        }
    }

    /// <summary>A decoded Metadata.Route must be 1..13 (protocol.md "Routes"); anything else is <see cref="KamuneError.InvalidRoute"/>.</summary>
    internal static void CheckRoute(Route route)
    {
        if (!RoutePolicy.IsDefined(route))
        {
            throw new KamuneProtocolException(
                KamuneError.InvalidRoute, $"Route: expected a defined route other than INVALID, got {(int)route}.");
        }
    }

    /// <summary><see cref="Parse"/> then <see cref="Verify"/>.</summary>
    public static VerifiedEnvelope Open(ReadOnlySpan<byte> signedTransport, PublicIdentity signer) =>
        Verify(Parse(signedTransport), signer);

    /// <summary>Size of google.protobuf.BytesValue { bytes value = 1; } around <paramref name="valueLength"/> bytes, as proto3 marshals it.</summary>
    internal static int BytesValueLength(int valueLength) => FieldSize(valueLength);

    /// <summary>
    /// Checks the cap, then draws the bucket bump (first use of <paramref name="random"/>): the padding length and
    /// the whole SignedTransport's length for <paramref name="dataLength"/> bytes of Data.
    /// </summary>
    internal static int PlanLength(int dataLength, int metadataLength, IRandomSource random, out int padLength)
    {
        padLength = Plan(dataLength, metadataLength, random, out var baseSize);
        return baseSize + Padding.PaddedFieldSize(padLength);
    }

    /// <summary>
    /// The session hot path's encoder: Data is BytesValue { value }, written straight into <paramref name="destination"/>
    /// (exactly <see cref="PlanLength"/>'s length), so the value is copied once.
    /// </summary>
    internal static void WriteBytesValueTransport(
        IdentityKeyPair signer, ReadOnlySpan<byte> value, ReadOnlySpan<byte> metadata, int padLength, IRandomSource random, Span<byte> destination)
    {
        var innerLength = BytesValueLength(value.Length);
        var offset = 0;
        if (innerLength > 0)
        {
            destination[offset++] = WireTags.TransportData;
            offset += WriteVarint((uint)innerLength, destination[offset..]);
        }

        var dataStart = offset;
        offset += WriteField(WireTags.BytesValueValue, value, destination[offset..]);
        FinishTransport(signer, destination, dataStart, offset - dataStart, metadata, padLength, random);
    }

    internal static int WriteVarint(ulong value, Span<byte> destination)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private static int Plan(int dataLength, int metadataLength, IRandomSource random, out int baseSize)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (dataLength > MaxMessageSize)
        {
            throw new KamuneProtocolException(
                KamuneError.MessageTooLarge, $"Message: expected at most {MaxMessageSize} bytes, got {dataLength}.");
        }

        baseSize = UnpaddedLength(metadataLength, dataLength);
        return Padding.PadLength(baseSize, Padding.ChooseTarget(baseSize, random));
    }

    private static void WriteTransport(
        IdentityKeyPair signer, ReadOnlySpan<byte> data, ReadOnlySpan<byte> metadata, int padLength, IRandomSource random, Span<byte> destination)
    {
        var offset = WriteField(WireTags.TransportData, data, destination);
        FinishTransport(signer, destination, offset - data.Length, data.Length, metadata, padLength, random);
    }

    // Field order 1, 2, 3, 4 and empty fields omitted: what Go's proto.Marshal emits, so the bytes match a Go peer's.
    // Field 1 (Data) is already in place at dataStart; the padding is drawn before the signature is made.
    private static void FinishTransport(
        IdentityKeyPair signer, Span<byte> destination, int dataStart, int dataLength, ReadOnlySpan<byte> metadata, int padLength, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var offset = dataStart + dataLength;
        destination[offset++] = WireTags.TransportSignature;
        destination[offset++] = PublicIdentity.SignatureLength;
        var signatureSlot = destination.Slice(offset, PublicIdentity.SignatureLength);
        offset += PublicIdentity.SignatureLength;

        offset += WriteField(WireTags.TransportMetadata, metadata, destination[offset..]);

        if (padLength > 0)
        {
            destination[offset++] = WireTags.TransportPadding;
            offset += WriteVarint((uint)padLength, destination[offset..]);
            random.Fill(destination.Slice(offset, padLength));
        }

        var data = destination.Slice(dataStart, dataLength);
        var inputLength = SigningInputLength(metadata.Length, data.Length);
        var input = ArrayPool<byte>.Shared.Rent(inputLength);
        try
        {
            WriteSigningInput(metadata, data, input);
            signer.Sign(input.AsSpan(0, inputLength), signatureSlot);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input.AsSpan(0, inputLength));
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    private static int FieldSize(int length) => length == 0 ? 0 : 1 + Padding.VarintSize((uint)length) + length;

    private static int WriteField(byte tag, ReadOnlySpan<byte> value, Span<byte> destination)
    {
        if (value.IsEmpty)
        {
            return 0;
        }

        destination[0] = tag;
        var offset = 1 + WriteVarint((uint)value.Length, destination[1..]);
        value.CopyTo(destination[offset..]);
        return offset + value.Length;
    }
}

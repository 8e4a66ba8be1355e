using Kamune.Wire;

namespace Kamune.Protocol;

/// <summary>The fields of a SignedTransport as slices of the received bytes (protocol.md layer 5); nothing copied.</summary>
internal readonly ref struct SignedTransportView
{
    public SignedTransportView(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> padding)
    {
        Data = data;
        Signature = signature;
        Metadata = metadata;
        Padding = padding;
    }

    public ReadOnlySpan<byte> Data { get; }

    public ReadOnlySpan<byte> Signature { get; }

    public ReadOnlySpan<byte> Metadata { get; }

    public ReadOnlySpan<byte> Padding { get; }
}

/// <summary>
/// Metadata { string ID = 1; Timestamp Timestamp = 2; uint64 Sequence = 3; Route Route = 4; } as read from the wire:
/// the ID stays UTF-8 bytes, the Timestamp is its two fields plus whether it was present at all.
/// </summary>
internal readonly ref struct MetadataView
{
    public MetadataView(ReadOnlySpan<byte> id, bool hasTimestamp, long seconds, int nanos, ulong sequence, Route route)
    {
        Id = id;
        HasTimestamp = hasTimestamp;
        Seconds = seconds;
        Nanos = nanos;
        Sequence = sequence;
        Route = route;
    }

    public ReadOnlySpan<byte> Id { get; }

    public bool HasTimestamp { get; }

    public long Seconds { get; }

    public int Nanos { get; }

    public ulong Sequence { get; }

    public Route Route { get; }
}

/// <summary>
/// Span readers for the three messages every session frame carries: SignedTransport, Metadata and the BytesValue
/// payload. They mirror the generated Google.Protobuf parsers field by field (see <see cref="ProtoSpanReader"/>), so
/// a frame is accepted or refused exactly as before, without the copies those parsers make.
/// </summary>
internal static class SessionWireReader
{
    public static SignedTransportView ReadSignedTransport(ReadOnlySpan<byte> signedTransport)
    {
        var reader = new ProtoSpanReader(signedTransport, "SignedTransport");
        ReadOnlySpan<byte> data = default, signature = default, metadata = default, padding = default;
        while (!reader.IsAtEnd)
        {
            var tag = reader.ReadMessageTag();
            switch (tag)
            {
                case WireTags.TransportData:
                    data = reader.ReadLengthDelimited();
                    break;
                case WireTags.TransportSignature:
                    signature = reader.ReadLengthDelimited();
                    break;
                case WireTags.TransportMetadata:
                    metadata = reader.ReadLengthDelimited();
                    break;
                case WireTags.TransportPadding:
                    padding = reader.ReadLengthDelimited();
                    break;
                default:
                    reader.SkipField(tag, 0);
                    break;
            }
        }

        return new SignedTransportView(data, signature, metadata, padding);
    }

    public static MetadataView ReadMetadata(ReadOnlySpan<byte> metadata)
    {
        var reader = new ProtoSpanReader(metadata, "Metadata");
        ReadOnlySpan<byte> id = default;
        var hasTimestamp = false;
        long seconds = 0;
        var nanos = 0;
        ulong sequence = 0;
        var route = Route.Invalid;
        while (!reader.IsAtEnd)
        {
            var tag = reader.ReadMessageTag();
            switch (tag)
            {
                case WireTags.MetadataId:
                    id = reader.ReadUtf8();
                    break;
                case WireTags.MetadataTimestamp:
                    // A repeated embedded message merges into the one before: each field keeps its last value.
                    hasTimestamp = true;
                    ReadTimestamp(ref reader, ref seconds, ref nanos);
                    break;
                case WireTags.MetadataSequence:
                    sequence = reader.ReadVarint64();
                    break;
                case WireTags.MetadataRoute:
                    route = (Route)(int)reader.ReadVarint32();
                    break;
                default:
                    reader.SkipField(tag, 0);
                    break;
            }
        }

        return new MetadataView(id, hasTimestamp, seconds, nanos, sequence, route);
    }

    /// <summary>google.protobuf.BytesValue's value, a slice of <paramref name="bytesValue"/>; <paramref name="route"/> names it in errors.</summary>
    public static ReadOnlySpan<byte> ReadBytesValue(ReadOnlySpan<byte> bytesValue, Route route)
    {
        var reader = new ProtoSpanReader(bytesValue, "BytesValue", route);
        ReadOnlySpan<byte> value = default;
        while (!reader.IsAtEnd)
        {
            var tag = reader.ReadMessageTag();
            if (tag == WireTags.BytesValueValue)
            {
                value = reader.ReadLengthDelimited();
            }
            else
            {
                reader.SkipField(tag, 0);
            }
        }

        return value;
    }

    // Timestamp is one level down (depth 1), read from its own slice so it cannot run past its length.
    private static void ReadTimestamp(ref ProtoSpanReader outer, ref long seconds, ref int nanos)
    {
        var reader = outer.Nested(outer.ReadLengthDelimited());
        while (!reader.IsAtEnd)
        {
            var tag = reader.ReadMessageTag();
            switch (tag)
            {
                case WireTags.TimestampSeconds:
                    seconds = (long)reader.ReadVarint64();
                    break;
                case WireTags.TimestampNanos:
                    nanos = (int)reader.ReadVarint32();
                    break;
                default:
                    reader.SkipField(tag, 1);
                    break;
            }
        }
    }
}

namespace Kamune.Protocol;

/// <summary>
/// Tags (field number &lt;&lt; 3 | wire type) of the messages the per-message path writes and reads by hand
/// (proto/*.proto): one table for the writers (<see cref="Envelope"/>, <see cref="MetadataFactory"/>) and the span
/// readers (<see cref="SessionWireReader"/>), so the two cannot drift apart.
/// </summary>
internal static class WireTags
{
    // SignedTransport { bytes Data = 1; bytes Signature = 2; bytes Metadata = 3; bytes Padding = 4; }
    public const byte TransportData = 0x0a;
    public const byte TransportSignature = 0x12;
    public const byte TransportMetadata = 0x1a;
    public const byte TransportPadding = 0x22;

    // Metadata { string ID = 1; Timestamp Timestamp = 2; uint64 Sequence = 3; Route Route = 4; }
    public const byte MetadataId = 0x0a;
    public const byte MetadataTimestamp = 0x12;
    public const byte MetadataSequence = 0x18;
    public const byte MetadataRoute = 0x20;

    // google.protobuf.Timestamp { int64 seconds = 1; int32 nanos = 2; }
    public const byte TimestampSeconds = 0x08;
    public const byte TimestampNanos = 0x10;

    // google.protobuf.BytesValue { bytes value = 1; }
    public const byte BytesValueValue = 0x0a;
}

using Google.Protobuf.WellKnownTypes;
using Kamune.Wire;

namespace Kamune.Protocol;

/// <summary>
/// Metadata as the Go reference fills it in each phase (protocol.md "Metadata per phase"). Zero fields stay
/// unset, so proto3 leaves them off the wire exactly as Go does.
/// </summary>
internal static class MetadataFactory
{
    /// <summary>Length of a message ID: Go's crypto/rand.Text, 26 base32 characters (128 bits).</summary>
    public const int IdLength = 26;

    /// <summary>
    /// Largest <see cref="WriteSession"/> output: ID (2 + 26), Timestamp (2 + 11 + 11), Sequence (1 + 10) and Route
    /// (1 + 10), each with its tag and the longest varints.
    /// </summary>
    public const int MaxSessionLength = 2 + IdLength + 2 + 11 + 11 + 11 + 11;

    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    // Timestamp.FromDateTimeOffset's epoch: 1970-01-01 in .NET ticks.
    private const long UnixEpochTicks = 621355968000000000;

    /// <summary>Introduce: Timestamp and Route = IDENTITY only (no ID, Sequence 0).</summary>
    public static Metadata Introduce(IClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return new Metadata { Timestamp = Timestamp.FromDateTimeOffset(clock.UtcNow), Route = Route.Identity };
    }

    /// <summary>Handshake request/response: ID, Timestamp and Route; Sequence stays 0.</summary>
    public static Metadata Handshake(Route route, IClock clock, IRandomSource random) => Session(route, 0, clock, random);

    /// <summary>ResumeRequest / ResumeAccept: Route only.</summary>
    public static Metadata Resume(Route route) => new() { Route = route };

    /// <summary>Challenge and established-session frames: ID, Timestamp, Sequence and Route.</summary>
    public static Metadata Session(Route route, ulong sequence, IClock clock, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return new Metadata
        {
            ID = RandomId(random),
            Timestamp = Timestamp.FromDateTimeOffset(clock.UtcNow),
            Sequence = sequence,
            Route = route,
        };
    }

    /// <summary>
    /// The serialized form of <see cref="Session"/>'s Metadata, written into <paramref name="destination"/> (at least
    /// <see cref="MaxSessionLength"/> bytes) without building the message: the same random draw (26 bytes, one call),
    /// the same clock read and byte for byte what Google.Protobuf and Go's proto.Marshal emit for it. Returns the length.
    /// </summary>
    public static int WriteSession(Route route, ulong sequence, IClock clock, IRandomSource random, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(random);
        if (destination.Length < MaxSessionLength)
        {
            throw new ArgumentException($"Metadata buffer: expected at least {MaxSessionLength} bytes, got {destination.Length}.", nameof(destination));
        }

        Span<byte> id = stackalloc byte[IdLength];
        FillId(random, id);
        var (seconds, nanos) = TimestampFields(clock.UtcNow);
        return Write(id, hasTimestamp: true, seconds, nanos, sequence, route, destination);
    }

    /// <summary>
    /// Metadata { ID = 1; Timestamp = 2; Sequence = 3; Route = 4 } in field order with zero scalars and an empty ID
    /// omitted and a present Timestamp always written (proto3 message presence), as Google.Protobuf and Go emit it.
    /// </summary>
    internal static int Write(ReadOnlySpan<byte> idUtf8, bool hasTimestamp, long seconds, int nanos, ulong sequence, Route route, Span<byte> destination)
    {
        var offset = 0;
        if (!idUtf8.IsEmpty)
        {
            destination[offset++] = WireTags.MetadataId;
            offset += Envelope.WriteVarint((uint)idUtf8.Length, destination[offset..]);
            idUtf8.CopyTo(destination[offset..]);
            offset += idUtf8.Length;
        }

        if (hasTimestamp)
        {
            // int32 and enum values are sign-extended to 64 bits on the wire.
            var length = (seconds == 0 ? 0 : 1 + Padding.VarintSize((ulong)seconds)) + (nanos == 0 ? 0 : 1 + Padding.VarintSize((ulong)(long)nanos));
            destination[offset++] = WireTags.MetadataTimestamp;
            offset += Envelope.WriteVarint((uint)length, destination[offset..]);
            offset += WriteVarintField(WireTags.TimestampSeconds, (ulong)seconds, destination[offset..]);
            offset += WriteVarintField(WireTags.TimestampNanos, (ulong)(long)nanos, destination[offset..]);
        }

        offset += WriteVarintField(WireTags.MetadataSequence, sequence, destination[offset..]);
        offset += WriteVarintField(WireTags.MetadataRoute, (ulong)(long)(int)route, destination[offset..]);
        return offset;
    }

    /// <summary>
    /// 26 characters of A-Z2-7, one per random byte (byte mod 32: 256 is a multiple of 32, so unbiased), the
    /// shape of Go's crypto/rand.Text.
    /// </summary>
    public static string RandomId(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return string.Create(IdLength, random, static (chars, source) =>
        {
            Span<byte> id = stackalloc byte[IdLength];
            FillId(source, id);
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)id[i];
            }
        });
    }

    // One Fill of all 26 bytes, then each byte mod 32 picks a letter: the ASCII letters are the ID's UTF-8 bytes.
    private static void FillId(IRandomSource random, Span<byte> id)
    {
        random.Fill(id);
        for (var i = 0; i < id.Length; i++)
        {
            id[i] = (byte)Base32Alphabet[id[i] % 32];
        }
    }

    // Timestamp.FromDateTimeOffset without the object: whole seconds since 1970 (floored) and the remaining ticks as nanoseconds.
    private static (long Seconds, int Nanos) TimestampFields(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return (ticks / TimeSpan.TicksPerSecond - UnixEpochTicks / TimeSpan.TicksPerSecond, (int)(ticks % TimeSpan.TicksPerSecond) * 100);
    }

    private static int WriteVarintField(byte tag, ulong value, Span<byte> destination)
    {
        if (value == 0)
        {
            return 0;
        }

        destination[0] = tag;
        return 1 + Envelope.WriteVarint(value, destination[1..]);
    }
}

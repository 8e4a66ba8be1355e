using Google.Protobuf.WellKnownTypes;
using Kamune.Abstractions;
using Kamune.Wire;

namespace Kamune.Protocol;

/// <summary>
/// Metadata as the Go reference fills it in each phase (protocol.md "Metadata per phase"). Zero fields stay
/// unset, so proto3 leaves them off the wire exactly as Go does.
/// </summary>
public static class MetadataFactory
{
    /// <summary>Length of a message ID: Go's crypto/rand.Text, 26 base32 characters (128 bits).</summary>
    public const int IdLength = 26;

    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

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
    /// 26 characters of A-Z2-7, one per random byte (byte mod 32: 256 is a multiple of 32, so unbiased), the
    /// shape of Go's crypto/rand.Text.
    /// </summary>
    public static string RandomId(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return string.Create(IdLength, random, static (chars, source) =>
        {
            Span<byte> bytes = stackalloc byte[IdLength];
            source.Fill(bytes);
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Base32Alphabet[bytes[i] % 32];
            }
        });
    }
}

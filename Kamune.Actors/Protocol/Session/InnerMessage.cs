using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Wire;

namespace Kamune.Protocol.Session;

/// <summary>Decodes the inner message of a verified envelope (protocol.md layer 6); bad protobuf ends the session.</summary>
internal static class InnerMessage
{
    public static T Parse<T>(MessageParser<T> parser, ReadOnlyMemory<byte> data, string what)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(data.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new KamuneProtocolException(
                KamuneError.MalformedMessage, $"{what}: expected valid protobuf, got {data.Length} bytes that do not parse ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Metadata.Timestamp as sent; absent means the Unix epoch. Out-of-range values are attacker input, so they are
    /// rejected here rather than thrown from a conversion later.
    /// </summary>
    public static DateTimeOffset TimestampOf(Metadata metadata)
    {
        var timestamp = metadata.Timestamp;
        if (timestamp is null)
        {
            return DateTimeOffset.UnixEpoch;
        }

        if (timestamp.Nanos is < 0 or > 999_999_999
            || timestamp.Seconds < Timestamp.FromDateTimeOffset(DateTimeOffset.MinValue).Seconds + 1
            || timestamp.Seconds > Timestamp.FromDateTimeOffset(DateTimeOffset.MaxValue).Seconds - 1)
        {
            throw new KamuneProtocolException(
                KamuneError.MalformedMessage,
                $"Metadata.Timestamp: expected a date between years 1 and 9999, got {timestamp.Seconds} s + {timestamp.Nanos} ns.");
        }

        return timestamp.ToDateTimeOffset();
    }
}

using Google.Protobuf;
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

    // Timestamp.FromDateTimeOffset(DateTimeOffset.MinValue / MaxValue).Seconds: the range a DateTimeOffset can hold.
    private static readonly long MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>
    /// Metadata.Timestamp as sent; absent means the Unix epoch. Out-of-range values are attacker input, so they are
    /// rejected here rather than thrown from a conversion later.
    /// </summary>
    public static DateTimeOffset TimestampOf(Metadata metadata) =>
        metadata.Timestamp is { } timestamp ? TimestampOf(true, timestamp.Seconds, timestamp.Nanos) : DateTimeOffset.UnixEpoch;

    /// <summary><see cref="TimestampOf(Metadata)"/> on the Timestamp's two fields as read by the span reader.</summary>
    public static DateTimeOffset TimestampOf(bool present, long seconds, int nanos)
    {
        if (!present)
        {
            return DateTimeOffset.UnixEpoch;
        }

        if (nanos is < 0 or > 999_999_999 || seconds < MinSeconds + 1 || seconds > MaxSeconds - 1)
        {
            throw new KamuneProtocolException(
                KamuneError.MalformedMessage,
                $"Metadata.Timestamp: expected a date between years 1 and 9999, got {seconds} s + {nanos} ns.");
        }

        // Timestamp.ToDateTimeOffset: whole seconds from the epoch, then the nanoseconds truncated to ticks.
        return DateTimeOffset.UnixEpoch.AddTicks(seconds * TimeSpan.TicksPerSecond + nanos / 100);
    }
}

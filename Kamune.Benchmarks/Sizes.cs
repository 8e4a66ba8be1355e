using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Protocol;
using Kamune.Wire;

namespace Kamune.Benchmarks;

/// <summary>The message sizes the benchmarks share, and the real signing input for a payload size.</summary>
public static class Sizes
{
    /// <summary>Application payloads: 16 B, 100 B, 1 KiB, 16 KiB and the largest a BytesValue may carry (61,435 B, "60 KiB").</summary>
    public static readonly int[] Payloads = [16, 100, 1024, 16384, MaxBytesValuePayload];

    /// <summary>The padding buckets (protocol.md "Padding"): every session-encrypted SignedTransport is one of these sizes.</summary>
    public static readonly int[] Buckets = [512, 1024, 4096, 16384, 32768, Padding.LastBucket];

    /// <summary>Raw AEAD sizes: 64 B plus every bucket.</summary>
    public static readonly int[] Aead = [64, 512, 1024, 4096, 16384, 32768, Padding.LastBucket];

    /// <summary>61,439 - 4: BytesValue adds a tag and a 3-byte length.</summary>
    public const int MaxBytesValuePayload = Envelope.MaxMessageSize - 4;

    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static byte[] Filled(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>An application message as the session sends it: BytesValue{payload}, on EXCHANGE_MESSAGES.</summary>
    public static (byte[] Data, byte[] Metadata) ApplicationMessage(int payloadLength, IRandomSource random)
    {
        var data = new BytesValue { Value = ByteString.CopyFrom(Filled(payloadLength, payloadLength)) }.ToByteArray();
        var metadata = MetadataFactory.Session(Route.ExchangeMessages, 3, new ManualClock(Epoch), random).ToByteArray();
        return (data, metadata);
    }

    /// <summary>The exact Ed25519 signing input of an application message with this payload.</summary>
    public static byte[] SigningInput(int payloadLength)
    {
        var (data, metadata) = ApplicationMessage(payloadLength, new SeededRandom(1));
        return Envelope.SigningInput(metadata, data);
    }
}

/// <summary>Setup checks: a benchmark of code that gives wrong answers is worthless, so setup fails loudly.</summary>
public static class Expect
{
    public static void That(bool condition, string expectation)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"Benchmark setup: expected {expectation}, got otherwise.");
        }
    }
}

using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Abstractions;
using Kamune.Identity;
using Kamune.Protocol;
using Kamune.Wire;

namespace Kamune.Benchmarks;

/// <summary>
/// The per-message cost of an established session (protocol.md "Flow" step 5), without framing or I/O.
/// Send: Metadata + BytesValue serialization, sign, pad, session seal. Receive: session open, verify,
/// Metadata and BytesValue parsing. "span" rows use the buffer-writing APIs with reused buffers; "array"
/// rows use the byte[] conveniences. The bucket bump is pinned to 0 (<see cref="NaturalBucketRandom"/>).
/// </summary>
[MemoryDiagnoser]
public class EnvelopeBenchmarks
{
    private readonly IClock _clock = new ManualClock(Sizes.Epoch);
    private readonly IRandomSource _random = new NaturalBucketRandom(SystemRandomSource.Instance);
    private readonly byte[] _metadataBuffer = new byte[64];
    private IdentityKeyPair _identity = null!;
    private PublicIdentity _peer = null!;
    private SessionSealer _sealer = null!;
    private SessionOpener _opener = null!;
    private byte[] _payload = [];
    private byte[] _dataBuffer = [];
    private byte[] _envelopeBuffer = [];
    private byte[] _sessionBuffer = [];
    private byte[] _received = [];
    private byte[] _plaintextBuffer = [];
    private ulong _sequence = 3;

    [ParamsSource(nameof(PayloadSizes))]
    public int Payload { get; set; }

    public static IEnumerable<int> PayloadSizes => Sizes.Payloads;

    [GlobalSetup]
    public void Setup()
    {
        _identity = IdentityKeyPair.FromSeed(Sizes.Filled(32, 51));
        _peer = _identity.PublicIdentity;
        var key = Sizes.Filled(32, 52);
        _sealer = new SessionSealer(key, SystemRandomSource.Instance);
        _opener = new SessionOpener(key);
        _payload = Sizes.Filled(Payload, Payload);
        _dataBuffer = new byte[Envelope.MaxMessageSize];
        _envelopeBuffer = new byte[Padding.LastBucket];
        _sessionBuffer = new byte[Padding.LastBucket + SessionSealer.Overhead];
        _plaintextBuffer = new byte[Padding.LastBucket];

        _received = _sessionBuffer.AsSpan(0, SendSpan()).ToArray();
        Expect.That(ReceiveSpan() == Payload && ReceiveArrays() == Payload, "both receive paths to recover the payload");
        Expect.That(Padding.Buckets.Contains(_received.Length - SessionSealer.Overhead + 2)
                || Padding.Buckets.Contains(_received.Length - SessionSealer.Overhead + 1)
                || Padding.Buckets.Contains(_received.Length - SessionSealer.Overhead),
            "a SignedTransport padded to (at most 2 bytes short of) a bucket");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _identity.Dispose();
        _sealer.Dispose();
        _opener.Dispose();
    }

    [Benchmark(Description = "Send span")]
    public int SendSpan()
    {
        var metadata = MetadataFactory.Session(Route.ExchangeMessages, _sequence++, _clock, _random);
        var metadataLength = metadata.CalculateSize();
        metadata.WriteTo(_metadataBuffer.AsSpan(0, metadataLength));
        var message = new BytesValue { Value = UnsafeByteOperations.UnsafeWrap(_payload) };
        var dataLength = message.CalculateSize();
        message.WriteTo(_dataBuffer.AsSpan(0, dataLength));
        var envelopeLength = Envelope.Encode(
            _identity, _dataBuffer.AsSpan(0, dataLength), _metadataBuffer.AsSpan(0, metadataLength), _random, _envelopeBuffer);
        return _sealer.Seal(_envelopeBuffer.AsSpan(0, envelopeLength), _sessionBuffer);
    }

    [Benchmark(Description = "Send arrays")]
    public byte[] SendArrays()
    {
        var metadata = MetadataFactory.Session(Route.ExchangeMessages, _sequence++, _clock, _random);
        var data = new BytesValue { Value = ByteString.CopyFrom(_payload) }.ToByteArray();
        return _sealer.Seal(Envelope.Encode(_identity, data, metadata, _random));
    }

    [Benchmark(Description = "Receive span")]
    public int ReceiveSpan()
    {
        _opener.TryOpen(_received, _plaintextBuffer, out var written);
        var envelope = Envelope.Open(_plaintextBuffer.AsSpan(0, written), _peer);
        return BytesValue.Parser.ParseFrom(envelope.Data.Span).Value.Length;
    }

    [Benchmark(Description = "Receive arrays")]
    public int ReceiveArrays()
    {
        var envelope = Envelope.Open(_opener.Open(_received), _peer);
        return BytesValue.Parser.ParseFrom(envelope.Data.Span).Value.Length;
    }
}

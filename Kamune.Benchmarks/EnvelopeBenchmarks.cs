using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Benchmarks;

/// <summary>
/// The per-message cost of an established session (protocol.md "Flow" step 5), without framing or I/O.
/// "SessionTransport" rows are the path a session really runs (CipherActor): Seal writes Metadata and BytesValue
/// straight into the frame, signs, pads and seals in place; Open decrypts into a pooled buffer, verifies and reads
/// the fields with span readers, copying only the payload. The other rows compose the public building blocks with
/// Google.Protobuf messages: "span" with reused buffers, "arrays" with the byte[] conveniences.
/// The bucket bump is pinned to 0 (<see cref="NaturalBucketRandom"/>).
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
    private SessionTransport _sender = null!;
    private SessionTransport _receiver = null!;
    private byte[] _sessionFrame = [];

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

        // One identity signs and verifies; sender and receiver share the direction key, as the two ends of one direction do.
        _sender = new SessionTransport(
            "BENCHBENCHBENCHBENCHBENC", _identity, _peer, new SessionSealer(key, SystemRandomSource.Instance), new SessionOpener(key), _clock, _random);
        _receiver = new SessionTransport(
            "BENCHBENCHBENCHBENCHBENC", _identity, _peer, new SessionSealer(key, SystemRandomSource.Instance), new SessionOpener(key), _clock, _random);
        _sessionFrame = SessionSeal();
        Expect.That(SessionOpen() == Payload, "SessionTransport.Open to recover the payload");
        Expect.That(_sessionFrame.Length == SendSpan(), "SessionTransport.Seal and the composed path to pad to the same size");

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
        _sender.Dispose();
        _receiver.Dispose();
        _identity.Dispose();
        _sealer.Dispose();
        _opener.Dispose();
    }

    [Benchmark(Description = "SessionTransport.Seal")]
    public byte[] SessionSeal() => _sender.Seal(Route.ExchangeMessages, _payload, out _);

    [Benchmark(Description = "SessionTransport.Open")]
    public int SessionOpen() => _receiver.Open(_sessionFrame).Value.Length;

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

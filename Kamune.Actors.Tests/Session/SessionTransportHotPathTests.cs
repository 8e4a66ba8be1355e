using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Crypto;
using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Tests.Session;

/// <summary>
/// The allocation-free send path of <see cref="SessionTransport"/> (issue 5) against the message-object composition
/// it replaced: Google.Protobuf Metadata and BytesValue, <see cref="Envelope.Encode(IdentityKeyPair, ReadOnlySpan{byte}, ReadOnlySpan{byte}, IRandomSource)"/>
/// and <see cref="SessionSealer.Seal(ReadOnlySpan{byte})"/>. From the same seeds both must produce the same frames,
/// byte for byte, and those frames must open to what was sent.
/// </summary>
public sealed class SessionTransportHotPathTests : IDisposable
{
    private static readonly byte[] KeyOut = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyIn = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();

    private readonly IdentityKeyPair _local = IdentityKeyPair.FromSeed(PureSession.Seed(5, 0x11));
    private readonly IdentityKeyPair _remote = IdentityKeyPair.FromSeed(PureSession.Seed(5, 0x22));
    private readonly ManualClock _clock = new(PureSession.Start.AddTicks(1234567));

    public static TheoryData<int> PayloadSizes => new() { 0, 1, 16, 100, 127, 128, 1024, 16 * 1024, 61_435 };

    public void Dispose()
    {
        _local.Dispose();
        _remote.Dispose();
    }

    [Theory]
    [MemberData(nameof(PayloadSizes))]
    public void Seal_writes_the_same_frames_as_the_protobuf_composition_from_the_same_seeds(int size)
    {
        using var transport = Transport(_local, _remote.PublicIdentity, KeyOut, KeyIn, new DeterministicRandomSource(40));
        using var sealer = new SessionSealer(KeyOut, new DeterministicRandomSource(41));
        var random = new DeterministicRandomSource(40);
        var value = Payload(size);
        foreach (var route in new[] { Route.SendChallenge, Route.ExchangeMessages, Route.Ping, Route.SessionData, Route.CloseTransport })
        {
            var frame = transport.Seal(route, value, out var sequence);

            var metadata = MetadataFactory.Session(route, sequence, _clock, random).ToByteArray();
            var inner = new BytesValue { Value = ByteString.CopyFrom(value) }.ToByteArray();
            var expected = sealer.Seal(Envelope.Encode(_local, inner, metadata, random));
            Assert.Equal(expected, frame);
            _clock.Advance(TimeSpan.FromMilliseconds(1.5));
        }
    }

    [Theory]
    [MemberData(nameof(PayloadSizes))]
    public void Open_returns_route_sequence_timestamp_and_payload_of_what_Seal_sent(int size)
    {
        using var sender = Transport(_local, _remote.PublicIdentity, KeyOut, KeyIn, new DeterministicRandomSource(50));
        using var receiver = Transport(_remote, _local.PublicIdentity, KeyIn, KeyOut, new DeterministicRandomSource(51));
        var value = Payload(size);
        var frame = sender.Seal(Route.ExchangeMessages, value, out var sequence);

        var message = receiver.Open(frame);
        Assert.Equal((Route.ExchangeMessages, sequence, _clock.UtcNow), (message.Route, message.Sequence, message.Timestamp));
        Assert.Equal(value, message.Value.ToArray());
    }

    [Fact]
    public void SealInPlace_gives_the_payload_Seal_gives_for_the_same_counter()
    {
        using var copying = new SessionSealer(KeyOut, new DeterministicRandomSource(60));
        using var inPlace = new SessionSealer(KeyOut, new DeterministicRandomSource(60));
        var plaintext = Payload(1000);
        var payload = new byte[plaintext.Length + SessionSealer.Overhead];
        plaintext.CopyTo(payload, XChaCha20Poly1305.NonceSize);

        inPlace.SealInPlace(payload, plaintext.Length);
        Assert.Equal(copying.Seal(plaintext), payload);
    }

    [Fact]
    public void SealInPlace_refuses_a_payload_of_the_wrong_size()
    {
        using var sealer = new SessionSealer(KeyOut, new DeterministicRandomSource(61));
        var error = Assert.Throws<ArgumentException>(() => sealer.SealInPlace(new byte[100], 100));
        Assert.Contains($"expected {100 + SessionSealer.Overhead} bytes, got 100", error.Message);
    }

    [Fact]
    public void Open_into_a_buffer_clears_it_when_the_tag_does_not_authenticate()
    {
        using var sealer = new SessionSealer(KeyOut, new DeterministicRandomSource(62));
        using var opener = new SessionOpener(KeyOut);
        var payload = sealer.Seal(Payload(64));
        payload[^1] ^= 1;
        var plaintext = Enumerable.Repeat((byte)0xaa, 64).ToArray();

        var error = Assert.Throws<KamuneProtocolException>(() => opener.Open(payload, plaintext));
        Assert.Equal(KamuneError.DecryptionFailed, error.Error);
        Assert.All(plaintext, b => Assert.Equal(0, b));
    }

    private SessionTransport Transport(IdentityKeyPair local, PublicIdentity remote, byte[] sealKey, byte[] openKey, IRandomSource random) =>
        new("HOTPATHHOTPATHHOTPATHHOT", local, remote, new SessionSealer(sealKey, new DeterministicRandomSource(41)), new SessionOpener(openKey), _clock, random);

    private static byte[] Payload(int size)
    {
        var value = new byte[size];
        new Random(size).NextBytes(value);
        return value;
    }
}

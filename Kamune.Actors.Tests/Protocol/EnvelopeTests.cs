using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Protocol;
using Kamune.Wire;

namespace Kamune.Tests.Protocol;

public class EnvelopeTests
{
    private static readonly ManualClock Clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static IdentityKeyPair NewKey(ulong seed) => IdentityKeyPair.Generate(new DeterministicRandomSource(seed));

    private static byte[] Seal(IdentityKeyPair key, byte[] data, Route route = Route.ExchangeMessages, ulong sequence = 3, ulong seed = 7)
    {
        var random = new DeterministicRandomSource(seed);
        return Envelope.Encode(key, data, MetadataFactory.Session(route, sequence, Clock, random), random);
    }

    private static byte[] Payload(int length) => new BytesValue { Value = ByteString.CopyFrom(new byte[length]) }.ToByteArray();

    [Fact]
    public void Open_returns_data_route_and_sequence_that_were_sealed()
    {
        using var key = NewKey(1);
        var data = Payload(100);
        var opened = Envelope.Open(Seal(key, data, Route.Ping, 42), key.PublicIdentity);
        Assert.Equal(data, opened.Data.ToArray());
        Assert.Equal(Route.Ping, opened.Route);
        Assert.Equal(42UL, opened.Sequence);
        Assert.Equal(MetadataFactory.IdLength, opened.Metadata.ID.Length);
    }

    [Fact]
    public void Encoded_bytes_equal_the_generated_protobuf_serialization()
    {
        using var key = NewKey(1);
        foreach (var length in new[] { 0, 1, 300, 5000, 40000 })
        {
            var sealedBytes = Seal(key, Payload(length), seed: (ulong)length);
            Assert.Equal(sealedBytes, Envelope.Parse(sealedBytes).ToByteArray());
        }
    }

    [Fact]
    public void Encoded_size_lands_on_a_bucket_or_at_most_two_bytes_short()
    {
        using var key = NewKey(1);
        for (ulong seed = 0; seed < 40; seed++)
        {
            var sealedBytes = Seal(key, Payload((int)(seed * 997 % 20000)), seed: seed);
            var bucket = Padding.Buckets.ToArray().First(b => b >= sealedBytes.Length);
            Assert.InRange(bucket - sealedBytes.Length, 0, 2);
        }
    }

    [Theory]
    [InlineData(SignedTransport.SignatureFieldNumber, 5)]
    [InlineData(SignedTransport.MetadataFieldNumber, -1)]
    [InlineData(SignedTransport.DataFieldNumber, 3)]
    public void Open_rejects_a_flipped_bit_in_signature_metadata_or_data(int field, int index)
    {
        using var key = NewKey(1);
        var transport = Envelope.Parse(Seal(key, Payload(10)));
        var descriptor = SignedTransport.Descriptor.FindFieldByNumber(field).Accessor;
        var bytes = ((ByteString)descriptor.GetValue(transport)).ToByteArray();
        bytes[index < 0 ? bytes.Length + index : index] ^= 0x01;
        descriptor.SetValue(transport, ByteString.CopyFrom(bytes));
        AssertError(KamuneError.InvalidSignature, () => Envelope.Verify(transport, key.PublicIdentity));
    }

    [Fact]
    public void Open_rejects_signature_by_another_key()
    {
        using var key = NewKey(1);
        using var other = NewKey(2);
        AssertError(KamuneError.InvalidSignature, () => Envelope.Open(Seal(key, Payload(10)), other.PublicIdentity));
    }

    [Fact]
    public void Open_rejects_truncated_input_as_malformed()
    {
        using var key = NewKey(1);
        var sealedBytes = Seal(key, Payload(10));
        AssertError(KamuneError.MalformedMessage, () => Envelope.Open(sealedBytes.AsSpan(0, sealedBytes.Length - 5), key.PublicIdentity));
    }

    [Fact]
    public void Open_rejects_missing_or_short_signature()
    {
        using var key = NewKey(1);
        var transport = Envelope.Parse(Seal(key, Payload(10)));
        transport.Signature = ByteString.CopyFrom(transport.Signature.Span[..63]);
        AssertError(KamuneError.InvalidSignature, () => Envelope.Verify(transport, key.PublicIdentity));
        AssertError(KamuneError.InvalidSignature, () => Envelope.Open([], key.PublicIdentity));
    }

    [Fact]
    public void Verify_checks_metadata_bytes_as_received_not_re_serialized()
    {
        // Same fields, different encoding: an unknown field 15 appended. Signed over these exact bytes, it verifies;
        // a verifier that re-serialized Metadata would drop the unknown field and fail.
        using var key = NewKey(1);
        var metadata = new Metadata { Route = Route.Pong, Sequence = 9 }.ToByteArray().Concat(new byte[] { 0x78, 0x01 }).ToArray();
        var opened = Envelope.Open(Envelope.Encode(key, Payload(8), metadata, new DeterministicRandomSource(3)), key.PublicIdentity);
        Assert.Equal(Route.Pong, opened.Route);
    }

    [Fact]
    public void Open_rejects_signed_metadata_that_is_not_protobuf()
    {
        using var key = NewKey(1);
        var sealedBytes = Envelope.Encode(key, Payload(8), new byte[] { 0x0a, 0x05, 0x41 }, new DeterministicRandomSource(3));
        AssertError(KamuneError.MalformedMessage, () => Envelope.Open(sealedBytes, key.PublicIdentity));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(14)]
    [InlineData(1000)]
    public void Open_rejects_invalid_or_unknown_route(int route)
    {
        using var key = NewKey(1);
        var metadata = new Metadata { Route = (Route)route, Sequence = 3 }.ToByteArray();
        var sealedBytes = Envelope.Encode(key, Payload(8), metadata, new DeterministicRandomSource(3));
        AssertError(KamuneError.InvalidRoute, () => Envelope.Open(sealedBytes, key.PublicIdentity));
    }

    [Fact]
    public void Bytes_value_payload_of_61435_fits_and_61436_is_too_large()
    {
        // BytesValue adds tag + 3-byte varint: 61,435 payload bytes marshal to exactly MaxMessageSize (protocol.md "Padding").
        using var key = NewKey(1);
        var largest = Payload(Envelope.MaxMessageSize - 4);
        Assert.Equal(Envelope.MaxMessageSize, largest.Length);
        var sealedBytes = Seal(key, largest);
        Assert.True(sealedBytes.Length <= Padding.LastBucket);
        Assert.Equal(largest, Envelope.Open(sealedBytes, key.PublicIdentity).Data.ToArray());

        AssertError(KamuneError.MessageTooLarge, () => Seal(key, Payload(Envelope.MaxMessageSize - 3)));
    }

    [Fact]
    public void Span_encode_refuses_a_too_small_destination()
    {
        using var key = NewKey(1);
        var metadata = new Metadata { Route = Route.Ping }.ToByteArray();
        Assert.Throws<ArgumentException>(() =>
            Envelope.Encode(key, Payload(8), metadata, new DeterministicRandomSource(3), new byte[100]));
    }

    [Fact]
    public void Signing_input_writer_refuses_a_too_small_destination()
    {
        Assert.Throws<ArgumentException>(() => Envelope.WriteSigningInput(new byte[10], new byte[10], new byte[44]));
    }

    private static void AssertError(KamuneError expected, Action action)
    {
        var error = Assert.Throws<KamuneProtocolException>(action);
        Assert.Equal(expected, error.Error);
    }
}

using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Protocol;
using Kamune.Tests.Vectors;
using Kamune.Wire;
using Kamune.Tests.Support;

namespace Kamune.Tests.Protocol;

/// <summary>go-reference-0.7.0.json, section protobuf (with the key and example of identity_and_signing).</summary>
public class GoReferenceVectors_ProtobufTests
{
    private static JsonElement Section => VectorFile.GoReference.GetProperty("protobuf");

    private static JsonElement Signing => VectorFile.GoReference.GetProperty("identity_and_signing");

    private static JsonElement Intro => Section.GetProperty("introduce");

    private static IdentityKeyPair Key() => IdentityKeyPair.FromSeed(VectorFile.Hex(Signing.GetProperty("ed25519_seed")));

    [Fact]
    public void Metadata_bytes_round_trip_unchanged()
    {
        var bytes = VectorFile.Hex(Section.GetProperty("metadata"));
        var metadata = Metadata.Parser.ParseFrom(bytes);
        Assert.Equal(bytes, metadata.ToByteArray());
    }

    [Fact]
    public void Unpadded_signed_transport_holds_the_example_fields_and_opens()
    {
        var bytes = VectorFile.Hex(Section.GetProperty("signed_transport_no_padding"));
        var example = Signing.GetProperty("example");
        var transport = Envelope.Parse(bytes);

        Assert.Equal(VectorFile.Hex(example.GetProperty("data_bytes")), transport.Data.ToByteArray());
        Assert.Equal(VectorFile.Hex(example.GetProperty("signature")), transport.Signature.ToByteArray());
        Assert.Equal(VectorFile.Hex(example.GetProperty("metadata_bytes")), transport.Metadata.ToByteArray());
        Assert.True(transport.Padding.IsEmpty);
        Assert.Equal(bytes, transport.ToByteArray());

        using var key = Key();
        var opened = Envelope.Open(bytes, key.PublicIdentity);
        Assert.Equal(example.GetProperty("metadata_fields").GetProperty("Route").GetInt32(), (int)opened.Route);
        Assert.Equal(example.GetProperty("metadata_fields").GetProperty("Sequence").GetUInt64(), opened.Sequence);
        Assert.Equal(VectorFile.Hex(example.GetProperty("data_bytes")), opened.Data.ToArray());
    }

    [Fact]
    public void Padding_is_outside_the_signature_so_the_padded_transport_opens_too()
    {
        var padded = VectorFile.Hex(Section.GetProperty("signed_transport_padding_8x_ee"));
        var unpadded = Envelope.Parse(VectorFile.Hex(Section.GetProperty("signed_transport_no_padding")));
        var transport = Envelope.Parse(padded);

        Assert.Equal(8, transport.Padding.Length);
        Assert.All(transport.Padding.ToByteArray(), b => Assert.Equal(0xee, b));
        Assert.Equal(padded, transport.ToByteArray());
        using var key = Key();
        Assert.Equal(
            Envelope.Verify(unpadded, key.PublicIdentity).Data.ToArray(),
            Envelope.Open(padded, key.PublicIdentity).Data.ToArray());
    }

    [Fact]
    public void Introduce_fields_serialize_to_the_go_bytes()
    {
        var fields = Intro.GetProperty("fields");
        using var key = Key();
        var introduce = new Introduce
        {
            Name = key.PublicIdentity.DefaultName,
            PublicKey = ByteString.CopyFrom(key.PublicIdentity.Pkix.Span),
            AppVersion = ProtocolVersion.Current.ToString(),
        };

        Assert.Equal(fields.GetProperty("Name").GetString(), introduce.Name);
        Assert.Equal(VectorFile.Hex(fields.GetProperty("PublicKey")), introduce.PublicKey.ToByteArray());
        Assert.Equal(fields.GetProperty("AppVersion").GetString(), introduce.AppVersion);
        Assert.Equal(VectorFile.Hex(Intro.GetProperty("introduce_bytes")), introduce.ToByteArray());
    }

    [Fact]
    public void Introduce_metadata_has_only_timestamp_and_route()
    {
        var timestamp = Signing.GetProperty("example").GetProperty("metadata_fields").GetProperty("Timestamp");
        var metadata = new Metadata
        {
            Timestamp = new Timestamp { Seconds = timestamp.GetProperty("seconds").GetInt64(), Nanos = timestamp.GetProperty("nanos").GetInt32() },
            Route = Route.Identity,
        };
        Assert.Equal(VectorFile.Hex(Intro.GetProperty("metadata_bytes")), metadata.ToByteArray());
    }

    [Fact]
    public void Introduce_envelope_with_zero_randomness_is_byte_identical_to_go()
    {
        var data = VectorFile.Hex(Intro.GetProperty("introduce_bytes"));
        var metadata = VectorFile.Hex(Intro.GetProperty("metadata_bytes"));
        var expected = VectorFile.Hex(Intro.GetProperty("signed_transport_padded_zero_bump0"));
        using var key = Key();

        Assert.Equal(VectorFile.Hex(Intro.GetProperty("signature")), key.Sign(Envelope.SigningInput(metadata, data)));
        Assert.Equal(expected, Envelope.Encode(key, data, metadata, ScriptedRandomSource.Zeros()));

        var buffer = new byte[Envelope.MaxEncodedLength(metadata.Length, data.Length)];
        var written = Envelope.Encode(key, data, metadata, ScriptedRandomSource.Zeros(), buffer);
        Assert.Equal(expected, buffer.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void Unpadded_introduce_verifies_with_the_key_it_carries()
    {
        var bytes = VectorFile.Hex(Intro.GetProperty("signed_transport_unpadded"));
        var transport = Envelope.Parse(bytes);
        Assert.Equal(bytes, transport.ToByteArray());
        Assert.Equal(VectorFile.Hex(Intro.GetProperty("signature")), transport.Signature.ToByteArray());

        var introduce = Introduce.Parser.ParseFrom(transport.Data);
        var opened = Envelope.Verify(transport, PublicIdentity.FromPkix(introduce.PublicKey.Span));
        Assert.Equal(Route.Identity, opened.Route);
        Assert.Equal(0UL, opened.Sequence);
    }

    [Fact]
    public void Close_transport_data_is_an_empty_bytes_value()
    {
        Assert.Equal(VectorFile.Hex(Section.GetProperty("close_transport_data")), new BytesValue().ToByteArray());
    }

    [Fact]
    public void Resume_messages_match_go()
    {
        var request = Section.GetProperty("resume_request");
        var message = new ResumeRequest
        {
            SessionID = request.GetProperty("SessionID").GetString(),
            Token = ByteString.CopyFrom(VectorFile.Hex(request.GetProperty("Token"))),
        };
        Assert.Equal(VectorFile.Hex(request.GetProperty("bytes")), message.ToByteArray());
        Assert.Equal(VectorFile.Hex(Section.GetProperty("resume_accept_true")), new ResumeAccept { Accepted = true }.ToByteArray());

        var refused = VectorFile.Hex(Section.GetProperty("resume_accept_false"));
        var parsed = ResumeAccept.Parser.ParseFrom(refused);
        Assert.False(parsed.Accepted);
        Assert.NotEmpty(parsed.Reason);
        Assert.Equal(refused, parsed.ToByteArray());
    }

    [Fact]
    public void Route_numbers_match_go()
    {
        var routes = Metadata.Descriptor.File.EnumTypes.Single(e => e.Name == "Route");
        var expected = Section.GetProperty("route_enum").EnumerateObject().ToList();
        Assert.Equal(expected.Count, System.Enum.GetValues<Route>().Length);
        foreach (var route in expected)
        {
            Assert.Equal(route.Value.GetInt32(), routes.FindValueByName("ROUTE_" + route.Name).Number);
        }
    }
}

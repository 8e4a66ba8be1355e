using System.Text.Json;
using Kamune.Protocol;
using Kamune.Tests.Vectors;

namespace Kamune.Tests.Protocol;

/// <summary>go-reference-0.7.0.json, section identity_and_signing.</summary>
public class GoReferenceVectors_IdentityAndSigningTests
{
    private static JsonElement Section => VectorFile.GoReference.GetProperty("identity_and_signing");

    private static IdentityKeyPair Key() => IdentityKeyPair.FromSeed(VectorFile.Hex(Section.GetProperty("ed25519_seed")));

    [Fact]
    public void Seed_gives_the_go_raw_and_pkix_public_key()
    {
        using var key = Key();
        Assert.Equal(VectorFile.Hex(Section.GetProperty("ed25519_public_raw")), key.PublicIdentity.Raw.ToArray());
        Assert.Equal(VectorFile.Hex(Section.GetProperty("public_key_pkix_der")), key.PublicIdentity.Pkix.ToArray());
    }

    [Fact]
    public void Default_name_is_the_go_fingerprint_sum()
    {
        using var key = Key();
        Assert.Equal(Section.GetProperty("default_name_fingerprint").GetString(), key.PublicIdentity.DefaultName);
        Assert.Equal(key.PublicIdentity.DefaultName, key.PublicIdentity.Fingerprint.Base64);
    }

    [Fact]
    public void Pkix_from_the_vector_parses_to_the_same_identity()
    {
        using var key = Key();
        var parsed = PublicIdentity.FromPkix(VectorFile.Hex(Section.GetProperty("public_key_pkix_der")));
        Assert.Equal(key.PublicIdentity, parsed);
    }

    [Theory]
    [InlineData("example")]
    [InlineData("example_2byte_varint")]
    public void Signing_input_and_signature_match_go(string name)
    {
        var example = Section.GetProperty(name);
        var metadata = VectorFile.Hex(example.GetProperty("metadata_bytes"));
        var data = VectorFile.Hex(example.GetProperty("data_bytes"));
        var expectedInput = VectorFile.Hex(example.GetProperty("signing_input"));
        var expectedSignature = VectorFile.Hex(example.GetProperty("signature"));

        Assert.Equal(expectedInput.Length, Envelope.SigningInputLength(metadata.Length, data.Length));
        Assert.Equal(expectedInput, Envelope.SigningInput(metadata, data));
        using var key = Key();
        Assert.Equal(expectedSignature, key.Sign(expectedInput));
        Assert.True(key.PublicIdentity.Verify(expectedInput, expectedSignature));
    }

    [Theory]
    [InlineData("example")]
    [InlineData("example_2byte_varint")]
    public void Metadata_fields_serialize_to_the_go_metadata_bytes(string name)
    {
        var example = Section.GetProperty(name);
        var fields = example.GetProperty("metadata_fields");
        var id = fields.GetProperty("ID").GetString()!;
        if (id == "A x150")
        {
            // The vector spells its 150-character ID in shorthand.
            id = new string('A', 150);
        }

        var timestamp = fields.GetProperty("Timestamp");
        var metadata = new Kamune.Wire.Metadata
        {
            ID = id,
            Timestamp = new Google.Protobuf.WellKnownTypes.Timestamp
            {
                Seconds = timestamp.GetProperty("seconds").GetInt64(),
                Nanos = timestamp.GetProperty("nanos").GetInt32(),
            },
            Sequence = fields.GetProperty("Sequence").GetUInt64(),
            Route = (Kamune.Wire.Route)fields.GetProperty("Route").GetInt32(),
        };
        Assert.Equal(VectorFile.Hex(example.GetProperty("metadata_bytes")), Google.Protobuf.MessageExtensions.ToByteArray(metadata));
    }
}

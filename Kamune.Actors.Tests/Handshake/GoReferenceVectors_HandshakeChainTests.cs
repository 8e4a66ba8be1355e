using System.Security.Cryptography;
using Kamune.Crypto;
using Kamune.Protocol;
using Kamune.Tests.Vectors;

namespace Kamune.Tests.Handshake;

/// <summary>
/// A whole cold handshake against go-reference-0.7.0.json section "handshake_chain": the Handshake
/// protobufs as Go marshals them, the ML-KEM secret, transcript hash, keys, challenges and resumption.
/// </summary>
public class GoReferenceVectors_HandshakeChainTests() : KeyScheduleVectorChecks("handshake_chain")
{
    private Wire.Handshake Request => Wire.Handshake.Parser.ParseFrom(Field("request_handshake_pb"));

    private Wire.Handshake Response => Wire.Handshake.Parser.ParseFrom(Field("response_handshake_pb"));

    protected override byte[] TranscriptHashUnderTest() => KeySchedule.TranscriptHash(Request, Response);

    [Fact]
    public void Handshake_messages_carry_the_vector_fields_and_reserialize_to_the_Go_bytes()
    {
        var mlkem = VectorFile.GoReference.GetProperty("mlkem768");

        Assert.Equal(VectorFile.Hex(mlkem.GetProperty("encapsulation_key")), Request.Key.ToByteArray());
        Assert.Equal(Field("initiator_salt"), Request.Salt.ToByteArray());
        Assert.Equal(Text("session_prefix"), Request.SessionKey);
        Assert.Equal(VectorFile.Hex(mlkem.GetProperty("ciphertext")), Response.Key.ToByteArray());
        Assert.Equal(Field("responder_salt"), Response.Salt.ToByteArray());
        Assert.Equal(Text("session_suffix"), Response.SessionKey);
        Assert.Equal(Field("request_handshake_pb"), Google.Protobuf.MessageExtensions.ToByteArray(Request));
        Assert.Equal(Field("response_handshake_pb"), Google.Protobuf.MessageExtensions.ToByteArray(Response));
    }

    [Fact]
    public void Both_sides_validate_the_Go_handshake_messages()
    {
        HandshakeValidation.ValidateRequest(Request);
        HandshakeValidation.ValidateResponse(Response);
    }

    [Fact]
    public void Decapsulating_the_response_key_yields_the_chain_secret()
    {
        var mlkem = VectorFile.GoReference.GetProperty("mlkem768");
        using var initiator = MlKem768KeyPair.FromSeed(VectorFile.Hex(mlkem.GetProperty("seed_d_z")));
        var secret = new byte[MlKem768.SharedSecretSize];

        initiator.Decapsulate(Response.Key.Span, secret);

        Assert.Equal(Field("secret"), secret);
        Assert.Equal(Text("session_id"), Request.SessionKey + Response.SessionKey);
    }

    [Fact]
    public void TranscriptHash_matches_the_Go_hash_and_preimage_length()
    {
        var preimage = KeySchedule.TranscriptPreimage(Request, Response);

        Assert.Equal(Section.GetProperty("transcript_hash_preimage_len").GetInt32(), preimage.Length);
        Assert.Equal(Field("transcript_hash"), SHA256.HashData(preimage));
        Assert.Equal(Field("transcript_hash"), KeySchedule.TranscriptHash(Request, Response));
    }

    [Fact]
    public void TranscriptHash_changes_when_any_handshake_field_changes()
    {
        var baseline = KeySchedule.TranscriptHash(Request, Response);
        var mutations = new Action<Wire.Handshake, Wire.Handshake>[]
        {
            (q, _) => q.Salt = Google.Protobuf.ByteString.CopyFrom(new byte[16]),
            (q, _) => q.SessionKey = "ABCDEFGHIJKM",
            (_, p) => p.Salt = Google.Protobuf.ByteString.CopyFrom(new byte[16]),
            (_, p) => p.SessionKey = "MNOPQRST2346",
            // Moves a byte across the field boundary: only the length prefixes tell these apart.
            (q, p) => { q.SessionKey += "M"; p.SessionKey = p.SessionKey[1..]; },
        };

        foreach (var mutate in mutations)
        {
            var request = Request;
            var response = Response;
            mutate(request, response);
            Assert.NotEqual(baseline, KeySchedule.TranscriptHash(request, response));
        }
    }
}

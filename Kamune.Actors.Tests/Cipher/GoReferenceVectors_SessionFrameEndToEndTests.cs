using System.Buffers.Binary;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Protocol;
using Kamune.Tests.Vectors;
using Kamune.Wire;
using Kamune.Tests.Support;

namespace Kamune.Tests.Cipher;

/// <summary>
/// go-reference-0.7.0.json, section "session_frame_end_to_end": one whole initiator-to-responder
/// application frame of the handshake_chain session, built by every layer of this library in turn
/// (metadata, envelope, padding, session cipher, frame codec) and taken apart again.
/// </summary>
public class GoReferenceVectors_SessionFrameEndToEndTests
{
    private static JsonElement Section(string name) => VectorFile.GoReference.GetProperty(name);

    private static byte[] Hex(JsonElement section, string field) => VectorFile.Hex(section.GetProperty(field));

    [Fact]
    public void Every_layer_together_reproduces_the_Go_wire_frame_byte_for_byte()
    {
        var e2e = Section("session_frame_end_to_end");
        var signing = Section("identity_and_signing");
        var example = signing.GetProperty("example");
        var aead = Section("aead_xchacha20poly1305").GetProperty("c2s");
        using var identity = IdentityKeyPair.FromSeed(Hex(signing, "ed25519_seed"));

        // Padding: the vector forces bump 0 and zero padding bytes; zeros from the random source give exactly that.
        var signedTransport = Envelope.Encode(identity, Hex(example, "data_bytes"), Hex(example, "metadata_bytes"), ScriptedRandomSource.Zeros());
        Assert.Equal(Hex(e2e, "padded_signed_transport"), signedTransport);

        // The vector's fixed nonce c0..d7 is, in our layout, prefix c0..cf and little-endian counter d0..d7.
        var nonce = Hex(aead, "nonce");
        var counter = BinaryPrimitives.ReadUInt64LittleEndian(nonce.AsSpan(SessionSealer.NoncePrefixSize));
        using var sealer = new SessionSealer(Hex(Section("handshake_chain"), "key_c2s"), new ScriptedRandomSource(nonce[..SessionSealer.NoncePrefixSize]), counter);
        var payload = sealer.Seal(signedTransport);
        Assert.Equal(Hex(e2e, "payload_nonce_ct_tag"), payload);

        Assert.Equal(Hex(e2e, "wire_frame"), FrameCodec.Encode(payload));
    }

    [Fact]
    public void The_Go_wire_frame_opens_verifies_and_parses_as_the_first_application_message()
    {
        var e2e = Section("session_frame_end_to_end");
        var signing = Section("identity_and_signing");
        var decoder = new FrameDecoder();
        decoder.Append(Hex(e2e, "wire_frame"));
        Assert.True(decoder.TryReadFrame(out var payload));
        decoder.Complete();

        using var opener = new SessionOpener(Hex(Section("handshake_chain"), "key_c2s"));
        var envelope = Envelope.Open(opener.Open(payload), PublicIdentity.FromPkix(Hex(signing, "public_key_pkix_der")));

        Assert.Equal(3UL, envelope.Sequence);
        Assert.Equal(Route.ExchangeMessages, envelope.Route);
        Assert.Equal("KVECMSGID234567ABCDEFGHIJ", envelope.Metadata.ID);
        Assert.Equal(new Timestamp { Seconds = 1767225600, Nanos = 123456789 }, envelope.Metadata.Timestamp);
        Assert.Equal("hello from kvec", BytesValue.Parser.ParseFrom(envelope.Data.Span).Value.ToStringUtf8());
    }

    [Fact]
    public void A_flipped_bit_anywhere_in_the_Go_payload_is_refused_by_the_session_cipher()
    {
        var e2e = Section("session_frame_end_to_end");
        using var opener = new SessionOpener(Hex(Section("handshake_chain"), "key_c2s"));
        var payload = Hex(e2e, "payload_nonce_ct_tag");

        // Nonce, ciphertext and tag positions: each must fail authentication, never yield bytes.
        foreach (var position in new[] { 0, 23, 24, payload.Length / 2, payload.Length - 17, payload.Length - 1 })
        {
            var tampered = (byte[])payload.Clone();
            tampered[position] ^= 0x01;
            var error = Assert.Throws<KamuneProtocolException>(() => opener.Open(tampered));
            Assert.Equal(KamuneError.DecryptionFailed, error.Error);
        }
    }
}

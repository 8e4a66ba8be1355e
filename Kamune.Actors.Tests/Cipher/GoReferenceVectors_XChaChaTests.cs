using System.Security.Cryptography;
using System.Text.Json;
using Kamune.Crypto;
using Kamune.Protocol;
using Kamune.Tests.Vectors;

namespace Kamune.Tests.Cipher;

/// <summary>
/// The session AEAD and frame codec against go-reference-0.7.0.json sections "aead_xchacha20poly1305"
/// and "session_frame_end_to_end" (Go chacha20poly1305.NewX and its frame writer).
/// </summary>
public class GoReferenceVectors_XChaChaTests
{
    private static JsonElement Aead(string name) => VectorFile.GoReference.GetProperty("aead_xchacha20poly1305").GetProperty(name);

    private static byte[] Hex(JsonElement section, string field) => VectorFile.Hex(section.GetProperty(field));

    public static TheoryData<string> Cases => new() { "c2s", "s2c_empty_plaintext" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Seal_reproduces_the_Go_ciphertext_and_tag(string name)
    {
        var v = Aead(name);
        var plaintext = Hex(v, "plaintext");
        var output = new byte[plaintext.Length + XChaCha20Poly1305.TagSize];

        XChaCha20Poly1305.Seal(Hex(v, "key"), Hex(v, "nonce"), plaintext, output);

        Assert.Equal(Hex(v, "payload_nonce_ct_tag")[XChaCha20Poly1305.NonceSize..], output);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SessionOpener_opens_the_Go_payload(string name)
    {
        var v = Aead(name);
        using var opener = new SessionOpener(Hex(v, "key"));

        Assert.Equal(Hex(v, "plaintext"), opener.Open(Hex(v, "payload_nonce_ct_tag")));
    }

    [Fact]
    public void The_c2s_payload_is_framed_as_the_Go_wire_frame()
    {
        var v = Aead("c2s");
        Assert.Equal("kamune kvec: XChaCha20-Poly1305 test vector"u8.ToArray(), Hex(v, "plaintext"));

        Assert.Equal(Hex(v, "wire_frame"), FrameCodec.Encode(Hex(v, "payload_nonce_ct_tag")));
    }

    [Fact]
    public void The_end_to_end_session_frame_decodes_and_opens_to_the_padded_signed_transport()
    {
        var v = VectorFile.GoReference.GetProperty("session_frame_end_to_end");
        var wire = Hex(v, "wire_frame");
        Assert.Equal(v.GetProperty("wire_frame_len").GetInt32(), wire.Length);
        Assert.Equal(Hex(v, "wire_frame_sha256"), SHA256.HashData(wire));

        var decoder = new FrameDecoder();
        decoder.Append(wire);
        Assert.True(decoder.TryReadFrame(out var payload));
        decoder.Complete();
        Assert.Equal(Hex(v, "payload_nonce_ct_tag"), payload);

        using var opener = new SessionOpener(VectorFile.Hex(VectorFile.GoReference.GetProperty("handshake_chain").GetProperty("key_c2s")));
        Assert.Equal(Hex(v, "padded_signed_transport"), opener.Open(payload));
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using Kamune.Crypto;
using Kamune.Protocol;
using Kamune.Tests.Vectors;
using Kamune.Tests.Support;

namespace Kamune.Tests.Exchange;

/// <summary>go-reference-0.7.0.json, section hpke_exchange: the Go reference's three exchange frames and tunnel.</summary>
public class GoReferenceVectors_HpkeExchangeTests
{
    private static JsonElement V => VectorFile.GoReference.GetProperty("hpke_exchange");

    public static TheoryData<string, string> Directions => new()
    {
        { "responder_to_initiator", "initiator_public_key" },
        { "initiator_to_responder", "responder_public_key" },
    };

    [Fact]
    public void Key_pairs_from_seeds_match_the_public_keys()
    {
        using var initiator = XWingKeyPair.FromSeed(Hex("initiator_seed"));
        using var responder = XWingKeyPair.FromSeed(Hex("responder_seed"));
        Assert.Equal(Hex("initiator_public_key"), initiator.PublicKey.ToArray());
        Assert.Equal(Hex("responder_public_key"), responder.PublicKey.ToArray());
        Assert.Equal(Hex("suite_id"), HpkeSuite.Kamune.SuiteId);
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public void Encapsulation_and_key_schedule_match(string direction, string recipientKey)
    {
        var d = V.GetProperty(direction);
        var publicKey = Hex(recipientKey);
        Assert.Equal(VectorFile.Hex(d.GetProperty("recipient_public_key_sha256")), SHA256.HashData(publicKey));

        var enc = new byte[XWing.CiphertextSize];
        var sharedSecret = new byte[XWing.SharedSecretSize];
        var ephemeral = VectorFile.Hex(d.GetProperty("x25519_ephemeral_private"));
        XWing.EncapsulateDeterministic(publicKey, VectorFile.Hex(d.GetProperty("mlkem_encaps_randomness_m")), ephemeral, enc, sharedSecret);
        Assert.Equal(VectorFile.Hex(d.GetProperty("enc")), enc);
        Assert.Equal(VectorFile.Hex(d.GetProperty("ct_mlkem_sha256")), SHA256.HashData(enc.AsSpan(0, 1088)));
        Assert.Equal(VectorFile.Hex(d.GetProperty("ct_x25519_ephemeral_public")), enc[1088..]);
        Assert.Equal(VectorFile.Hex(d.GetProperty("xwing_shared_secret")), sharedSecret);

        var keys = HpkeSuite.Kamune.KeySchedule(sharedSecret, []);
        Assert.Equal(VectorFile.Hex(d.GetProperty("key")), keys.Key);
        Assert.Equal(VectorFile.Hex(d.GetProperty("base_nonce")), keys.BaseNonce);
        Assert.Equal(VectorFile.Hex(d.GetProperty("exporter_secret")), keys.ExporterSecret);

        // The generator exported 32 bytes with exporter context "kvec".
        using var sender = HpkeSuite.Kamune.Sender(sharedSecret, []);
        Assert.Equal(VectorFile.Hex(d.GetProperty("export_kvec_32")), sender.Export("kvec"u8, 32));
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public void Recipient_decapsulates_enc_from_its_seed(string direction, string recipientKey)
    {
        var seed = recipientKey == "initiator_public_key" ? Hex("initiator_seed") : Hex("responder_seed");
        using var recipient = XWingKeyPair.FromSeed(seed);
        using var context = Hpke.SetupBaseRecipient(VectorFile.Hex(V.GetProperty(direction).GetProperty("enc")), recipient);
        Assert.Equal(VectorFile.Hex(V.GetProperty(direction).GetProperty("export_kvec_32")), context.Export("kvec"u8, 32));
    }

    [Fact]
    public void Scripted_exchange_reproduces_the_go_frames_and_tunnel_messages()
    {
        var r2i = V.GetProperty("responder_to_initiator");
        var i2r = V.GetProperty("initiator_to_responder");
        // Draw order: initiator key seed, then its encapsulation (m || ephemeral); the responder
        // encapsulates first and then draws its key seed, as the Go code does.
        var initiatorRandom = new ScriptedRandomSource(
            Hex("initiator_seed"), VectorFile.Hex(i2r.GetProperty("mlkem_encaps_randomness_m")), VectorFile.Hex(i2r.GetProperty("x25519_ephemeral_private")));
        var responderRandom = new ScriptedRandomSource(
            VectorFile.Hex(r2i.GetProperty("mlkem_encaps_randomness_m")), VectorFile.Hex(r2i.GetProperty("x25519_ephemeral_private")), Hex("responder_seed"));

        using var initiator = new ExchangeInitiator(initiatorRandom);
        using var responder = new ExchangeResponder(responderRandom);
        var frame1 = initiator.FirstFrame();
        Assert.Equal(Hex("initiator_public_key"), frame1);
        var frame2 = responder.OnInitiatorKey(frame1);
        Assert.Equal(VectorFile.Hex(V.GetProperty("frames").GetProperty("2_responder_to_initiator_payload")), frame2);
        Assert.Equal(ExchangeMessages.ResponderHelloSize, frame2.Length);
        var (initiatorTunnel, frame3) = initiator.OnResponderHello(frame2);
        Assert.Equal(VectorFile.Hex(i2r.GetProperty("enc")), frame3);
        using var responderTunnel = responder.OnInitiatorEnc(frame3);
        using var _ = initiatorTunnel;
        Assert.Equal(0, initiatorRandom.Remaining);
        Assert.Equal(0, responderRandom.Remaining);

        var m = V.GetProperty("tunnel_messages");
        var introduce = VectorFile.Hex(VectorFile.GoReference.GetProperty("protobuf").GetProperty("introduce").GetProperty("signed_transport_padded_zero_bump0"));
        Assert.Equal("protobuf.introduce.signed_transport_padded_zero_bump0", m.GetProperty("i2r_seq0_plaintext").GetString());
        var sealedIntroduce = initiatorTunnel.Seal(introduce);
        Assert.Equal(VectorFile.Hex(m.GetProperty("i2r_seq0_ciphertext")), sealedIntroduce);
        Assert.Equal(m.GetProperty("i2r_seq0_ciphertext_len").GetInt32(), sealedIntroduce.Length);
        Assert.Equal(introduce, responderTunnel.Open(sealedIntroduce));

        foreach (var name in new[] { "r2i_seq0", "r2i_seq1" })
        {
            var plaintext = VectorFile.Hex(m.GetProperty(name + "_plaintext"));
            var sealedFrame = responderTunnel.Seal(plaintext);
            Assert.Equal(VectorFile.Hex(m.GetProperty(name + "_ciphertext")), sealedFrame);
            Assert.Equal(plaintext, initiatorTunnel.Open(sealedFrame));
        }
    }

    [Fact]
    public void Go_tunnel_messages_open_in_order_and_not_out_of_order()
    {
        var m = V.GetProperty("tunnel_messages");
        using var initiator = XWingKeyPair.FromSeed(Hex("initiator_seed"));
        using var context = Hpke.SetupBaseRecipient(VectorFile.Hex(V.GetProperty("responder_to_initiator").GetProperty("enc")), initiator);
        var seq1 = VectorFile.Hex(m.GetProperty("r2i_seq1_ciphertext"));
        var ex = Assert.Throws<KamuneProtocolException>(() => context.Open(seq1));
        Assert.Equal(KamuneError.TunnelOpenFailed, ex.Error);
        Assert.Equal(VectorFile.Hex(m.GetProperty("r2i_seq0_plaintext")), context.Open(VectorFile.Hex(m.GetProperty("r2i_seq0_ciphertext"))));
        Assert.Equal(VectorFile.Hex(m.GetProperty("r2i_seq1_plaintext")), context.Open(seq1));
    }

    private static byte[] Hex(string name) => VectorFile.Hex(V.GetProperty(name));
}

using System.Text.Json;
using Kamune.Crypto;
using Kamune.Tests.Vectors;

namespace Kamune.Tests.Exchange;

/// <summary>
/// hpke-pq.json (draft-ietf-hpke-pq), the X-Wing entries (kem_id 25722 = 0x647a). ikmE is the
/// 64-byte X-Wing encapsulation seed: ML-KEM m (first 32) then the X25519 ephemeral key (last 32).
/// </summary>
public class HpkePqVectorTests
{
    public static TheoryData<int> XWingEntries => Indexes(_ => true);

    /// <summary>Entries whose KDF is a two-stage HKDF (0x0001/0x0003); the SHAKE one-stage KDFs are not in Kamune's suite.</summary>
    public static TheoryData<int> XWingHkdfEntries => Indexes(e => e.GetProperty("kdf_id").GetInt32() is 1 or 3);

    [Theory]
    [MemberData(nameof(XWingEntries))]
    public void Key_pair_from_skRm_and_from_ikmR_gives_pkRm(int index)
    {
        var entry = Entry(index);
        using var fromSeed = XWingKeyPair.FromSeed(VectorFile.Hex(entry.GetProperty("skRm")));
        using var derived = XWingKeyPair.DeriveKeyPair(VectorFile.Hex(entry.GetProperty("ikmR")));
        Assert.Equal(VectorFile.Hex(entry.GetProperty("pkRm")), fromSeed.PublicKey.ToArray());
        Assert.Equal(VectorFile.Hex(entry.GetProperty("pkRm")), derived.PublicKey.ToArray());
    }

    [Theory]
    [MemberData(nameof(XWingEntries))]
    public void Deterministic_encapsulation_gives_enc_and_shared_secret_and_decapsulates(int index)
    {
        var entry = Entry(index);
        var ikmE = VectorFile.Hex(entry.GetProperty("ikmE"));
        var ciphertext = new byte[XWing.CiphertextSize];
        var sharedSecret = new byte[XWing.SharedSecretSize];
        XWing.EncapsulateDeterministic(VectorFile.Hex(entry.GetProperty("pkRm")), ikmE[..32], ikmE[32..], ciphertext, sharedSecret);
        Assert.Equal(VectorFile.Hex(entry.GetProperty("enc")), ciphertext);
        Assert.Equal(VectorFile.Hex(entry.GetProperty("shared_secret")), sharedSecret);

        using var recipient = XWingKeyPair.FromSeed(VectorFile.Hex(entry.GetProperty("skRm")));
        var decapsulated = new byte[XWing.SharedSecretSize];
        recipient.Decapsulate(ciphertext, decapsulated);
        Assert.Equal(sharedSecret, decapsulated);
    }

    [Theory]
    [MemberData(nameof(XWingHkdfEntries))]
    public void Key_schedule_encryptions_and_exports_match(int index)
    {
        var entry = Entry(index);
        var suite = new HpkeSuite(XWing.KemId, (ushort)entry.GetProperty("kdf_id").GetInt32());
        Assert.Equal(VectorFile.Hex(entry.GetProperty("suite_id")), suite.SuiteId);
        var sharedSecret = VectorFile.Hex(entry.GetProperty("shared_secret"));
        var info = VectorFile.Hex(entry.GetProperty("info"));

        var keys = suite.KeySchedule(sharedSecret, info);
        Assert.Equal(VectorFile.Hex(entry.GetProperty("key")), keys.Key);
        Assert.Equal(VectorFile.Hex(entry.GetProperty("base_nonce")), keys.BaseNonce);
        Assert.Equal(VectorFile.Hex(entry.GetProperty("exporter_secret")), keys.ExporterSecret);

        using var sender = suite.Sender(sharedSecret, info);
        using var recipient = suite.Recipient(sharedSecret, info);
        Rfc9180VectorTests.CheckListedEncryptionsAndExports(entry, sender, recipient);
    }

    private static JsonElement Entry(int index) => VectorFile.Load("hpke-pq.json")[index];

    private static TheoryData<int> Indexes(Func<JsonElement, bool> filter)
    {
        var data = new TheoryData<int>();
        var entries = VectorFile.Load("hpke-pq.json");
        for (var i = 0; i < entries.GetArrayLength(); i++)
        {
            var e = entries[i];
            if (e.GetProperty("mode").GetInt32() == 0 && e.GetProperty("kem_id").GetInt32() == XWing.KemId
                && e.GetProperty("aead_id").GetInt32() == 3 && filter(e))
            {
                data.Add(i);
            }
        }

        return data;
    }
}

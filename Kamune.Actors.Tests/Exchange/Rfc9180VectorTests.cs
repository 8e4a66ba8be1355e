using System.Security.Cryptography;
using System.Text.Json;
using Kamune.Crypto;
using Kamune.Tests.Vectors;

namespace Kamune.Tests.Exchange;

/// <summary>
/// rfc9180.json, base mode, DHKEM(X25519, HKDF-SHA256) with HKDF-SHA256/HKDF-SHA512 and
/// ChaCha20-Poly1305: proves the key schedule and the sequenced AEAD context apart from X-Wing.
/// The file carries Go's accumulated form: 1000 seals and 1000 exports driven by a SHAKE128
/// stream, hashed with SHAKE128 to 16 bytes.
/// </summary>
public class Rfc9180VectorTests
{
    public static TheoryData<int> ChaChaEntries
    {
        get
        {
            var data = new TheoryData<int>();
            var entries = VectorFile.Load("rfc9180.json");
            for (var i = 0; i < entries.GetArrayLength(); i++)
            {
                var e = entries[i];
                if (e.GetProperty("mode").GetInt32() == 0 && e.GetProperty("kem_id").GetInt32() == HpkeDhKem.KemId
                    && e.GetProperty("kdf_id").GetInt32() is 1 or 3 && e.GetProperty("aead_id").GetInt32() == 3)
                {
                    data.Add(i);
                }
            }

            return data;
        }
    }

    [Fact]
    public void The_file_has_the_kamune_kdf_with_chacha20_poly1305()
    {
        var entries = VectorFile.Load("rfc9180.json");
        var kdfs = new List<int>();
        foreach (var row in ChaChaEntries)
        {
            kdfs.Add(entries[row].GetProperty("kdf_id").GetInt32());
        }

        Assert.Contains(3, kdfs);
    }

    [Theory]
    [MemberData(nameof(ChaChaEntries))]
    public void Derived_keys_and_enc_match(int index)
    {
        var entry = VectorFile.Load("rfc9180.json")[index];
        var (skR, pkR) = Derive(entry.GetProperty("ikmR"));
        Assert.Equal(VectorFile.Hex(entry.GetProperty("skRm")), skR);
        Assert.Equal(VectorFile.Hex(entry.GetProperty("pkRm")), pkR);

        var (skE, _) = Derive(entry.GetProperty("ikmE"));
        var enc = new byte[32];
        var sharedSecret = new byte[32];
        HpkeDhKem.Encap(pkR, skE, enc, sharedSecret);
        Assert.Equal(VectorFile.Hex(entry.GetProperty("enc")), enc);

        var decapsulated = new byte[32];
        HpkeDhKem.Decap(enc, skR, decapsulated);
        Assert.Equal(sharedSecret, decapsulated);
    }

    [Theory]
    [MemberData(nameof(ChaChaEntries))]
    public void Accumulated_encryptions_and_exports_match(int index)
    {
        var entry = VectorFile.Load("rfc9180.json")[index];
        var suite = new HpkeSuite(HpkeDhKem.KemId, (ushort)entry.GetProperty("kdf_id").GetInt32());
        var (skR, pkR) = Derive(entry.GetProperty("ikmR"));
        var (skE, _) = Derive(entry.GetProperty("ikmE"));
        var info = VectorFile.Hex(entry.GetProperty("info"));
        var enc = new byte[32];
        var senderSecret = new byte[32];
        var recipientSecret = new byte[32];
        HpkeDhKem.Encap(pkR, skE, enc, senderSecret);
        HpkeDhKem.Decap(enc, skR, recipientSecret);
        using var sender = suite.Sender(senderSecret, info);
        using var recipient = suite.Recipient(recipientSecret, info);

        var source = new ShakeStream();
        using var sink = new Shake128();
        for (var i = 0; i < 1000; i++)
        {
            var aad = source.Draw();
            var plaintext = source.Draw();
            var ciphertext = new byte[plaintext.Length + Hpke.Overhead];
            sender.Seal(aad, plaintext, ciphertext);
            sink.AppendData(ciphertext);
            var opened = new byte[plaintext.Length];
            Assert.True(recipient.TryOpen(aad, ciphertext, opened, out var written));
            Assert.Equal(plaintext.Length, written);
            Assert.Equal(plaintext, opened);
        }

        Assert.Equal(VectorFile.Hex(entry.GetProperty("encryptions_accumulated")), sink.GetHashAndReset(16));

        source = new ShakeStream();
        for (var length = 0; length < 1000; length++)
        {
            var context = source.Draw();
            var value = sender.Export(context, length);
            Assert.Equal(value, recipient.Export(context, length));
            sink.AppendData(value);
        }

        Assert.Equal(VectorFile.Hex(entry.GetProperty("exports_accumulated")), sink.GetHashAndReset(16));
    }

    /// <summary>For vector files that list encryptions and exports one by one (hpke-pq.json).</summary>
    internal static void CheckListedEncryptionsAndExports(JsonElement entry, HpkeSenderContext sender, HpkeRecipientContext recipient)
    {
        foreach (var encryption in entry.GetProperty("encryptions").EnumerateArray())
        {
            var aad = VectorFile.Hex(encryption.GetProperty("aad"));
            var plaintext = VectorFile.Hex(encryption.GetProperty("pt"));
            var ciphertext = new byte[plaintext.Length + Hpke.Overhead];
            sender.Seal(aad, plaintext, ciphertext);
            Assert.Equal(VectorFile.Hex(encryption.GetProperty("ct")), ciphertext);
            var opened = new byte[plaintext.Length];
            Assert.True(recipient.TryOpen(aad, ciphertext, opened, out _));
            Assert.Equal(plaintext, opened);
        }

        foreach (var export in entry.GetProperty("exports").EnumerateArray())
        {
            var context = VectorFile.Hex(export.GetProperty("exporter_context"));
            var length = export.GetProperty("L").GetInt32();
            Assert.Equal(VectorFile.Hex(export.GetProperty("exported_value")), sender.Export(context, length));
            Assert.Equal(VectorFile.Hex(export.GetProperty("exported_value")), recipient.Export(context, length));
        }
    }

    private static (byte[] Sk, byte[] Pk) Derive(JsonElement ikm)
    {
        var sk = new byte[32];
        var pk = new byte[32];
        HpkeDhKem.DeriveKeyPair(VectorFile.Hex(ikm), sk, pk);
        return (sk, pk);
    }

    /// <summary>Go's drawRandomInput: one length byte, then that many bytes, from SHAKE128("").</summary>
    private sealed class ShakeStream
    {
        private readonly byte[] _stream = Shake128.HashData([], 1 << 20);
        private int _position;

        public byte[] Draw()
        {
            int length = _stream[_position++];
            var bytes = _stream.AsSpan(_position, length).ToArray();
            _position += length;
            return bytes;
        }
    }
}

using Kamune.Protocol;
using Kamune.Tests.Vectors;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace Kamune.Tests.Identity;

public class IdentityKeyPairTests
{
    private static byte[] VectorSeed => VectorFile.Hex(VectorFile.GoReference.GetProperty("identity_and_signing").GetProperty("ed25519_seed"));

    [Fact]
    public void Generate_draws_the_seed_from_the_random_source()
    {
        using var generated = IdentityKeyPair.Generate(new DeterministicRandomSource(5));
        var seed = new byte[32];
        new DeterministicRandomSource(5).Fill(seed);
        using var fromSeed = IdentityKeyPair.FromSeed(seed);
        Assert.Equal(fromSeed.PublicIdentity, generated.PublicIdentity);
    }

    [Fact]
    public void Signatures_match_bouncy_castle_for_many_keys_and_lengths()
    {
        var random = new DeterministicRandomSource(99);
        for (var i = 0; i < 20; i++)
        {
            var seed = new byte[32];
            random.Fill(seed);
            var message = new byte[i * 37];
            random.Fill(message);

            using var key = IdentityKeyPair.FromSeed(seed);
            var oracleKey = new Ed25519PrivateKeyParameters(seed);
            var oracle = new Ed25519Signer();
            oracle.Init(true, oracleKey);
            oracle.BlockUpdate(message, 0, message.Length);

            Assert.Equal(oracleKey.GeneratePublicKey().GetEncoded(), key.PublicIdentity.Raw.ToArray());
            Assert.Equal(oracle.GenerateSignature(), key.Sign(message));
        }
    }

    [Fact]
    public void Exported_pem_is_the_48_byte_go_pkcs8_and_bouncy_castle_reads_the_same_key()
    {
        using var key = IdentityKeyPair.FromSeed(VectorSeed);
        var pem = key.ExportPkcs8Pem();
        var lines = pem.Split('\n');
        Assert.Equal("-----BEGIN PRIVATE KEY-----", lines[0]);
        Assert.Equal(64, lines[1].Length);
        Assert.Equal("-----END PRIVATE KEY-----", lines[2]);
        Assert.Equal(string.Empty, lines[3]);

        var der = Convert.FromBase64String(lines[1]);
        Assert.Equal(48, der.Length);
        var parsed = (Ed25519PrivateKeyParameters)PrivateKeyFactory.CreateKey(der);
        Assert.Equal(VectorSeed, parsed.GetEncoded());

        // And a version-0 PrivateKeyInfo (RFC 8410 without the optional public key, as Go writes it) built from
        // BouncyCastle's ASN.1 types is byte-identical.
        var oracle = new Org.BouncyCastle.Asn1.Pkcs.PrivateKeyInfo(
            new Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier(Org.BouncyCastle.Asn1.EdEC.EdECObjectIdentifiers.id_Ed25519),
            new Org.BouncyCastle.Asn1.DerOctetString(VectorSeed));
        Assert.Equal(oracle.GetDerEncoded(), der);
    }

    [Fact]
    public void Imported_pem_signs_like_the_original()
    {
        using var key = IdentityKeyPair.FromSeed(VectorSeed);
        using var imported = IdentityKeyPair.ImportPkcs8Pem(key.ExportPkcs8Pem().Replace("\n", "\r\n"));
        Assert.Equal(key.PublicIdentity, imported.PublicIdentity);
        Assert.Equal(key.Sign("x"u8), imported.Sign("x"u8));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a pem")]
    [InlineData("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    public void Import_rejects_garbage_as_invalid_private_key(string pem)
    {
        var error = Assert.Throws<KamuneProtocolException>(() => IdentityKeyPair.ImportPkcs8Pem(pem));
        Assert.Equal(KamuneError.InvalidPrivateKey, error.Error);
    }

    [Fact]
    public void Import_rejects_other_algorithms()
    {
        // An X25519 PKCS#8 key has the same length and shape; only the OID (1.3.101.110) differs.
        var x25519 = new X25519PrivateKeyParameters(VectorSeed);
        var der = PrivateKeyInfoFactory.CreatePrivateKeyInfo(x25519).GetDerEncoded();
        var pem = $"-----BEGIN PRIVATE KEY-----\n{Convert.ToBase64String(der)}\n-----END PRIVATE KEY-----\n";
        var error = Assert.Throws<KamuneProtocolException>(() => IdentityKeyPair.ImportPkcs8Pem(pem));
        Assert.Equal(KamuneError.InvalidPrivateKey, error.Error);

        using var ecdsa = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        error = Assert.Throws<KamuneProtocolException>(() => IdentityKeyPair.ImportPkcs8Pem(ecdsa.ExportPkcs8PrivateKeyPem()));
        Assert.Equal(KamuneError.InvalidPrivateKey, error.Error);
    }

    [Fact]
    public void Import_reads_pkcs8_v2_with_the_public_key_as_openssl_and_bouncy_castle_write_it()
    {
        var key = new Ed25519PrivateKeyParameters(VectorSeed);
        var publicKey = new Org.BouncyCastle.Asn1.DerBitString(key.GeneratePublicKey().GetEncoded());
        var v2 = new Org.BouncyCastle.Asn1.Pkcs.PrivateKeyInfo(
            new Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier(Org.BouncyCastle.Asn1.EdEC.EdECObjectIdentifiers.id_Ed25519),
            new Org.BouncyCastle.Asn1.DerOctetString(VectorSeed), attributes: null, publicKey.GetOctets()).GetDerEncoded();

        using var imported = IdentityKeyPair.ImportPkcs8Pem(PemOf(v2));
        using var original = IdentityKeyPair.FromSeed(VectorSeed);

        Assert.Equal(original.PublicIdentity, imported.PublicIdentity);
    }

    [Fact]
    public void Import_rejects_pkcs8_v2_whose_public_key_does_not_match_the_seed()
    {
        var otherPublic = new Ed25519PrivateKeyParameters(new byte[32]).GeneratePublicKey().GetEncoded();
        var v2 = new Org.BouncyCastle.Asn1.Pkcs.PrivateKeyInfo(
            new Org.BouncyCastle.Asn1.X509.AlgorithmIdentifier(Org.BouncyCastle.Asn1.EdEC.EdECObjectIdentifiers.id_Ed25519),
            new Org.BouncyCastle.Asn1.DerOctetString(VectorSeed), attributes: null, otherPublic).GetDerEncoded();

        var error = Assert.Throws<KamuneProtocolException>(() => IdentityKeyPair.ImportPkcs8Pem(PemOf(v2)));
        Assert.Equal(KamuneError.InvalidPrivateKey, error.Error);
    }

    private static string PemOf(byte[] der) =>
        $"-----BEGIN PRIVATE KEY-----\n{Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks)}\n-----END PRIVATE KEY-----\n";

    [Fact]
    public void Wrong_seed_length_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => IdentityKeyPair.FromSeed(new byte[31]));
    }

    [Fact]
    public void Disposed_key_refuses_to_sign_or_export()
    {
        var key = IdentityKeyPair.FromSeed(VectorSeed);
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Sign("x"u8));
        Assert.Throws<ObjectDisposedException>(() => key.ExportPkcs8Pem());
    }

    [Fact]
    public void ToString_shows_the_fingerprint_and_no_key_bytes()
    {
        using var key = IdentityKeyPair.FromSeed(VectorSeed);
        var text = key.ToString();
        Assert.Contains(key.PublicIdentity.DefaultName, text);
        Assert.DoesNotContain(Convert.ToHexString(VectorSeed), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(VectorSeed), text);
    }
}

using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Kamune.Tests.Exchange;

/// <summary>BouncyCastle SecureRandom that returns fixed bytes (ML-KEM encapsulation randomness m).</summary>
internal sealed class FixedBouncyRandom(byte[] bytes) : SecureRandom
{
    private int _position;

    public override void NextBytes(byte[] buf) => NextBytes(buf, 0, buf.Length);

    public override void NextBytes(byte[] buf, int off, int len) => NextBytes(buf.AsSpan(off, len));

    public override void NextBytes(Span<byte> buffer)
    {
        bytes.AsSpan(_position, buffer.Length).CopyTo(buffer);
        _position += buffer.Length;
    }
}

/// <summary>
/// X-Wing composed independently from BouncyCastle's ML-KEM-768, X25519, SHAKE256 and SHA3-256,
/// following draft-connolly-cfrg-xwing-kem. A differential oracle only, never used by the library.
/// </summary>
internal static class XWingOracle
{
    private static readonly byte[] Label = [0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c];

    public static (byte[] PublicKey, MLKemPrivateKeyParameters MlKem, X25519PrivateKeyParameters X25519) KeyPair(byte[] seed)
    {
        var expanded = new byte[96];
        var shake = new ShakeDigest(256);
        shake.BlockUpdate(seed, 0, seed.Length);
        shake.OutputFinal(expanded, 0, expanded.Length);
        var mlKem = MLKemPrivateKeyParameters.FromSeed(MLKemParameters.ml_kem_768, expanded[..64]);
        var x25519 = new X25519PrivateKeyParameters(expanded[64..]);
        var publicKey = mlKem.GetPublicKeyEncoded().Concat(x25519.GeneratePublicKey().GetEncoded()).ToArray();
        return (publicKey, mlKem, x25519);
    }

    public static (byte[] Ciphertext, byte[] SharedSecret) Encapsulate(byte[] publicKey, byte[] m, byte[] ephemeral)
    {
        var pkM = MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, publicKey[..1184]);
        var encapsulator = new MLKemEncapsulator(MLKemParameters.ml_kem_768);
        encapsulator.Init(new ParametersWithRandom(pkM, new FixedBouncyRandom(m)));
        var ctM = new byte[encapsulator.EncapsulationLength];
        var ssM = new byte[encapsulator.SecretLength];
        encapsulator.Encapsulate(ctM, 0, ctM.Length, ssM, 0, ssM.Length);

        var ek = new X25519PrivateKeyParameters(ephemeral);
        var ctX = ek.GeneratePublicKey().GetEncoded();
        var pkX = publicKey[1184..];
        var ssX = new byte[32];
        ek.GenerateSecret(new X25519PublicKeyParameters(pkX), ssX, 0);
        return (ctM.Concat(ctX).ToArray(), Combine(ssM, ssX, ctX, pkX));
    }

    public static byte[] Decapsulate(byte[] seed, byte[] ciphertext)
    {
        var (publicKey, mlKem, x25519) = KeyPair(seed);
        var decapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
        decapsulator.Init(mlKem);
        var ssM = new byte[32];
        decapsulator.Decapsulate(ciphertext, 0, 1088, ssM, 0, ssM.Length);
        var ctX = ciphertext[1088..];
        var ssX = new byte[32];
        x25519.GenerateSecret(new X25519PublicKeyParameters(ctX), ssX, 0);
        return Combine(ssM, ssX, ctX, publicKey[1184..]);
    }

    private static byte[] Combine(byte[] ssM, byte[] ssX, byte[] ctX, byte[] pkX)
    {
        var sha3 = new Sha3Digest(256);
        foreach (var part in new[] { ssM, ssX, ctX, pkX, Label })
        {
            sha3.BlockUpdate(part, 0, part.Length);
        }

        var output = new byte[32];
        sha3.DoFinal(output, 0);
        return output;
    }
}

/// <summary>RFC 9180 base-mode key schedule and ChaCha20-Poly1305 context from BouncyCastle (HKDF-SHA512).</summary>
internal sealed class HpkeOracle
{
    private static readonly byte[] SuiteId = Convert.FromHexString("48504b45647a00030003");
    private readonly byte[] _key;
    private readonly byte[] _baseNonce;
    private ulong _sequence;

    public HpkeOracle(byte[] sharedSecret, byte[] info)
    {
        var context = new byte[] { 0 }
            .Concat(LabeledExtract([], "psk_id_hash", []))
            .Concat(LabeledExtract([], "info_hash", info))
            .ToArray();
        var secret = LabeledExtract(sharedSecret, "secret", []);
        _key = LabeledExpand(secret, "key", context, 32);
        _baseNonce = LabeledExpand(secret, "base_nonce", context, 12);
        ExporterSecret = LabeledExpand(secret, "exp", context, 64);
    }

    public byte[] ExporterSecret { get; }

    public byte[] Export(byte[] context, int length) => LabeledExpand(ExporterSecret, "sec", context, length);

    public byte[] Seal(byte[] plaintext)
    {
        var nonce = (byte[])_baseNonce.Clone();
        for (var i = 0; i < 8; i++)
        {
            nonce[11 - i] ^= (byte)(_sequence >> (8 * i));
        }

        _sequence++;
        var aead = new ChaCha20Poly1305();
        aead.Init(true, new AeadParameters(new KeyParameter(_key), 128, nonce, []));
        var output = new byte[aead.GetOutputSize(plaintext.Length)];
        var written = aead.ProcessBytes(plaintext, 0, plaintext.Length, output, 0);
        aead.DoFinal(output, written);
        return output;
    }

    private static byte[] LabeledExtract(byte[] salt, string label, byte[] ikm)
    {
        var hmac = new HMac(new Sha512Digest());
        hmac.Init(new KeyParameter(salt.Length == 0 ? new byte[64] : salt));
        var input = "HPKE-v1"u8.ToArray().Concat(SuiteId).Concat(System.Text.Encoding.ASCII.GetBytes(label)).Concat(ikm).ToArray();
        hmac.BlockUpdate(input, 0, input.Length);
        var prk = new byte[64];
        hmac.DoFinal(prk, 0);
        return prk;
    }

    private static byte[] LabeledExpand(byte[] prk, string label, byte[] info, int length)
    {
        var labeled = new[] { (byte)(length >> 8), (byte)length }
            .Concat("HPKE-v1"u8.ToArray()).Concat(SuiteId).Concat(System.Text.Encoding.ASCII.GetBytes(label)).Concat(info).ToArray();
        var hkdf = new HkdfBytesGenerator(new Sha512Digest());
        hkdf.Init(HkdfParameters.SkipExtractParameters(prk, labeled));
        var output = new byte[length];
        hkdf.GenerateBytes(output, 0, length);
        return output;
    }
}

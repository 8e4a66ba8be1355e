using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kamune.Crypto;

/// <summary>
/// DHKEM(X25519, HKDF-SHA256), KEM 0x0020 (RFC 9180 section 4.1). Kamune never uses it on the
/// wire; it lets the RFC 9180 vectors prove the key schedule and AEAD context on their own.
/// </summary>
internal static class HpkeDhKem
{
    public const ushort KemId = 0x0020;
    public const int KeySize = 32;

    private static readonly byte[] SuiteId = BuildSuiteId();

    /// <summary>RFC 9180 7.1.3: sk = LabeledExpand(LabeledExtract("", "dkp_prk", ikm), "sk", "", 32).</summary>
    public static void DeriveKeyPair(ReadOnlySpan<byte> ikm, Span<byte> privateKey, Span<byte> publicKey)
    {
        Span<byte> prk = stackalloc byte[32];
        try
        {
            HpkeLabels.Extract(HashAlgorithmName.SHA256, SuiteId, [], "dkp_prk"u8, ikm, prk);
            HpkeLabels.Expand(HashAlgorithmName.SHA256, SuiteId, prk, "sk"u8, [], privateKey[..KeySize]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }

        ScalarMultBase(privateKey, publicKey);
    }

    /// <summary>Encap with a given ephemeral private key: enc = pkE, shared secret from DH(skE, pkR).</summary>
    public static void Encap(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> ephemeralPrivateKey, Span<byte> enc, Span<byte> sharedSecret)
    {
        ScalarMultBase(ephemeralPrivateKey, enc);
        SharedSecret(ephemeralPrivateKey, recipientPublicKey, enc, recipientPublicKey, sharedSecret);
    }

    public static void Decap(ReadOnlySpan<byte> enc, ReadOnlySpan<byte> recipientPrivateKey, Span<byte> sharedSecret)
    {
        Span<byte> pkR = stackalloc byte[KeySize];
        ScalarMultBase(recipientPrivateKey, pkR);
        SharedSecret(recipientPrivateKey, enc, enc, pkR, sharedSecret);
    }

    // RFC 9180 4.1: ExtractAndExpand(DH(sk, pk), enc || pkR); the DH output is wiped on every path.
    private static void SharedSecret(
        ReadOnlySpan<byte> privateKey, ReadOnlySpan<byte> peerPublicKey, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> pkR, Span<byte> sharedSecret)
    {
        Span<byte> dh = stackalloc byte[KeySize];
        try
        {
            ScalarMult(privateKey, peerPublicKey, dh);
            ExtractAndExpand(dh, enc, pkR, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    private static void ExtractAndExpand(ReadOnlySpan<byte> dh, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> pkR, Span<byte> sharedSecret)
    {
        Span<byte> kemContext = stackalloc byte[2 * KeySize];
        enc[..KeySize].CopyTo(kemContext);
        pkR[..KeySize].CopyTo(kemContext[KeySize..]);
        Span<byte> prk = stackalloc byte[32];
        try
        {
            HpkeLabels.Extract(HashAlgorithmName.SHA256, SuiteId, [], "eae_prk"u8, dh, prk);
            HpkeLabels.Expand(HashAlgorithmName.SHA256, SuiteId, prk, "shared_secret"u8, kemContext, sharedSecret[..32]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    private static unsafe void ScalarMult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> output)
    {
        fixed (byte* q = output)
        fixed (byte* n = scalar)
        fixed (byte* p = point)
        {
            if (Sodium.crypto_scalarmult_curve25519(q, n, p) != 0)
            {
                throw new CryptographicException("X25519: expected a full-order point, got a low-order one.");
            }
        }
    }

    private static unsafe void ScalarMultBase(ReadOnlySpan<byte> scalar, Span<byte> output)
    {
        fixed (byte* q = output)
        fixed (byte* n = scalar)
        {
            if (Sodium.crypto_scalarmult_curve25519_base(q, n) != 0)
            {
                throw new CryptographicException("libsodium crypto_scalarmult_curve25519_base failed.");
            }
        }
    }

    private static byte[] BuildSuiteId()
    {
        var id = new byte[5];
        "KEM"u8.CopyTo(id);
        BinaryPrimitives.WriteUInt16BigEndian(id.AsSpan(3), KemId);
        return id;
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kamune.Crypto;

/// <summary>
/// RFC 9180 HPKE, base mode, as the exchange tunnel uses it (protocol.md "Layers", 3): KEM 0x647a
/// X-Wing, KDF 0x0003 HKDF-SHA512, AEAD 0x0003 ChaCha20-Poly1305, info empty unless given.
/// </summary>
internal static class Hpke
{
    /// <summary>ChaCha20-Poly1305 tag: each sealed message is this much longer than its plaintext.</summary>
    public const int Overhead = 16;

    /// <summary>Encapsulates to the recipient's X-Wing key; <paramref name="enc"/> (1120 bytes) goes to the recipient.</summary>
    public static HpkeSenderContext SetupBaseSender(
        ReadOnlySpan<byte> recipientXWingPublicKey, IRandomSource random, out byte[] enc, ReadOnlySpan<byte> info = default)
    {
        enc = new byte[XWing.CiphertextSize];
        Span<byte> sharedSecret = stackalloc byte[XWing.SharedSecretSize];
        try
        {
            XWing.Encapsulate(recipientXWingPublicKey, random, enc, sharedSecret);
            return new HpkeSenderContext(HpkeSuite.Kamune.KeySchedule(sharedSecret, info));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>Decapsulates <paramref name="enc"/>; a wrong-length enc is MalformedExchange.</summary>
    public static HpkeRecipientContext SetupBaseRecipient(
        ReadOnlySpan<byte> enc, XWingKeyPair recipient, ReadOnlySpan<byte> info = default)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        Span<byte> sharedSecret = stackalloc byte[XWing.SharedSecretSize];
        try
        {
            recipient.Decapsulate(enc, sharedSecret);
            return new HpkeRecipientContext(HpkeSuite.Kamune.KeySchedule(sharedSecret, info));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }
}

/// <summary>
/// One HPKE cipher suite with ChaCha20-Poly1305 (AEAD 0x0003): the KEM id only enters suite_id,
/// the KDF picks the HKDF hash. Kamune uses <see cref="Kamune"/>; the others exist for vectors.
/// </summary>
internal sealed class HpkeSuite
{
    public const ushort ChaCha20Poly1305Id = 0x0003;
    public const int KeySize = 32;
    public const int NonceSize = 12;

    public static readonly HpkeSuite Kamune = new(XWing.KemId, 0x0003);

    public HpkeSuite(ushort kemId, ushort kdfId)
    {
        (Hash, HashSize) = kdfId switch
        {
            0x0001 => (HashAlgorithmName.SHA256, 32),
            0x0003 => (HashAlgorithmName.SHA512, 64),
            _ => throw new ArgumentException($"HPKE KDF: expected 0x0001 or 0x0003, got 0x{kdfId:x4}.", nameof(kdfId)),
        };
        SuiteId = new byte[10];
        "HPKE"u8.CopyTo(SuiteId);
        BinaryPrimitives.WriteUInt16BigEndian(SuiteId.AsSpan(4), kemId);
        BinaryPrimitives.WriteUInt16BigEndian(SuiteId.AsSpan(6), kdfId);
        BinaryPrimitives.WriteUInt16BigEndian(SuiteId.AsSpan(8), ChaCha20Poly1305Id);
    }

    public HashAlgorithmName Hash { get; }

    /// <summary>Nh: the KDF output size, also the exporter secret size.</summary>
    public int HashSize { get; }

    /// <summary>"HPKE" || uint16be(kem) || uint16be(kdf) || uint16be(aead).</summary>
    public byte[] SuiteId { get; }

    /// <summary>RFC 9180 section 5.1, mode_base (0x00) with empty psk and psk_id.</summary>
    public HpkeKeys KeySchedule(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> info)
    {
        // key_schedule_context = mode || psk_id_hash || info_hash
        var context = new byte[1 + 2 * HashSize];
        HpkeLabels.Extract(Hash, SuiteId, [], "psk_id_hash"u8, [], context.AsSpan(1, HashSize));
        HpkeLabels.Extract(Hash, SuiteId, [], "info_hash"u8, info, context.AsSpan(1 + HashSize, HashSize));

        Span<byte> secret = stackalloc byte[HashSize];
        try
        {
            HpkeLabels.Extract(Hash, SuiteId, sharedSecret, "secret"u8, [], secret);
            var keys = new HpkeKeys(this, Pinned(KeySize), Pinned(NonceSize), Pinned(HashSize));
            try
            {
                HpkeLabels.Expand(Hash, SuiteId, secret, "key"u8, context, keys.Key);
                HpkeLabels.Expand(Hash, SuiteId, secret, "base_nonce"u8, context, keys.BaseNonce);
                HpkeLabels.Expand(Hash, SuiteId, secret, "exp"u8, context, keys.ExporterSecret);
                return keys;
            }
            catch
            {
                keys.Wipe();
                throw;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    // Pinned, so the GC never leaves a stray copy behind when it compacts; HpkeKeys.Wipe zeroes them.
    private static byte[] Pinned(int length) => GC.AllocateArray<byte>(length, pinned: true);

    /// <summary>Creates the context pair pieces straight from a shared secret (vector tests and DHKEM).</summary>
    public HpkeSenderContext Sender(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> info) =>
        new(KeySchedule(sharedSecret, info));

    public HpkeRecipientContext Recipient(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> info) =>
        new(KeySchedule(sharedSecret, info));
}

/// <summary>
/// The key schedule's output, in pinned buffers. The context that owns it zeroes the key as soon as its AEAD has taken
/// it, and all three on dispose (or when it cannot be built).
/// </summary>
internal sealed class HpkeKeys(HpkeSuite suite, byte[] key, byte[] baseNonce, byte[] exporterSecret)
{
    public HpkeSuite Suite { get; } = suite;
    public byte[] Key { get; } = key;
    public byte[] BaseNonce { get; } = baseNonce;
    public byte[] ExporterSecret { get; } = exporterSecret;

    public void Wipe()
    {
        CryptographicOperations.ZeroMemory(Key);
        CryptographicOperations.ZeroMemory(BaseNonce);
        CryptographicOperations.ZeroMemory(ExporterSecret);
    }

    public override string ToString() => "HpkeKeys";
}

/// <summary>RFC 9180 section 4: LabeledExtract / LabeledExpand over HKDF.</summary>
internal static class HpkeLabels
{
    private static ReadOnlySpan<byte> Version => "HPKE-v1"u8;

    /// <summary>Extract(salt, "HPKE-v1" || suite_id || label || ikm).</summary>
    public static void Extract(
        HashAlgorithmName hash, ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> salt,
        ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        // The ikm is a secret (the KEM shared secret, a DH output): the buffer that holds a copy is pinned and wiped on
        // every path.
        var labeled = GC.AllocateArray<byte>(Version.Length + suiteId.Length + label.Length + ikm.Length, pinned: true);
        try
        {
            Concat(labeled, Version, suiteId, label, ikm);
            HKDF.Extract(hash, labeled, salt, prk);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(labeled);
        }
    }

    /// <summary>Expand(prk, uint16be(L) || "HPKE-v1" || suite_id || label || info, L).</summary>
    public static void Expand(
        HashAlgorithmName hash, ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> prk,
        ReadOnlySpan<byte> label, ReadOnlySpan<byte> info, Span<byte> output)
    {
        // HKDF of length 0 is the empty string; .NET refuses an empty destination, so answer it here.
        if (output.IsEmpty)
        {
            return;
        }

        var labeled = new byte[2 + Version.Length + suiteId.Length + label.Length + info.Length];
        BinaryPrimitives.WriteUInt16BigEndian(labeled, checked((ushort)output.Length));
        Concat(labeled.AsSpan(2), Version, suiteId, label, info);
        HKDF.Expand(hash, prk, output, labeled);
    }

    private static void Concat(Span<byte> destination, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, ReadOnlySpan<byte> d)
    {
        a.CopyTo(destination);
        b.CopyTo(destination[a.Length..]);
        c.CopyTo(destination[(a.Length + b.Length)..]);
        d.CopyTo(destination[(a.Length + b.Length + c.Length)..]);
    }
}

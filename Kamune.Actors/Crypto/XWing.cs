using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kamune.Crypto;

/// <summary>
/// An X-Wing (MLKEM768-X25519, HPKE KEM 0x647a) key pair. The secret key is the 32-byte seed
/// (draft-connolly-cfrg-xwing-kem); libsodium expands it with SHAKE256 into the ML-KEM d||z and
/// the X25519 private key. Used once per exchange (protocol.md "Flow for a new session", step 1).
/// </summary>
internal sealed class XWingKeyPair : IDisposable
{
    public const int PublicKeySize = Sodium.XWingPublicKeyBytes;
    public const int SeedSize = Sodium.XWingSeedBytes;

    // Pinned, so the GC never leaves a stray copy of the secret behind when it compacts; zeroed on Dispose.
    private readonly byte[] _secretKey;
    private readonly byte[] _publicKey;
    private bool _disposed;

    private XWingKeyPair(byte[] secretKey, byte[] publicKey)
    {
        _secretKey = secretKey;
        _publicKey = publicKey;
    }

    /// <summary>A fresh key pair from 32 bytes of <paramref name="random"/>.</summary>
    public static XWingKeyPair Generate(IRandomSource random) =>
        SeedDraw.Generate(random, SeedSize, FromSeed);

    /// <summary>The key pair libsodium's <c>crypto_kem_xwing_seed_keypair</c> derives from a 32-byte seed.</summary>
    public static unsafe XWingKeyPair FromSeed(ReadOnlySpan<byte> seed32)
    {
        if (seed32.Length != SeedSize)
        {
            throw new ArgumentException($"X-Wing seed: expected {SeedSize} bytes, got {seed32.Length}.", nameof(seed32));
        }

        var secretKey = GC.AllocateArray<byte>(Sodium.XWingSecretKeyBytes, pinned: true);
        var publicKey = new byte[PublicKeySize];
        fixed (byte* pk = publicKey)
        fixed (byte* sk = secretKey)
        fixed (byte* seed = seed32)
        {
            if (Sodium.crypto_kem_xwing_seed_keypair(pk, sk, seed) != 0)
            {
                CryptographicOperations.ZeroMemory(secretKey);
                throw new CryptographicException("libsodium crypto_kem_xwing_seed_keypair failed.");
            }
        }

        return new XWingKeyPair(secretKey, publicKey);
    }

    /// <summary>
    /// HPKE DeriveKeyPair for X-Wing (draft-ietf-hpke-pq): seed = SHAKE256(ikm || "HPKE-v1" ||
    /// "KEM" || uint16be(0x647a) || uint16be(13) || "DeriveKeyPair" || uint16be(32)), then
    /// <see cref="FromSeed"/>. Only the vector tests derive keys this way.
    /// </summary>
    internal static unsafe XWingKeyPair DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        ReadOnlySpan<byte> label = "DeriveKeyPair"u8;
        var input = new byte[ikm.Length + 7 + 5 + 2 + label.Length + 2];
        var w = input.AsSpan();
        ikm.CopyTo(w);
        w = w[ikm.Length..];
        "HPKE-v1KEM"u8.CopyTo(w);
        w = w[10..];
        BinaryPrimitives.WriteUInt16BigEndian(w, XWing.KemId);
        BinaryPrimitives.WriteUInt16BigEndian(w[2..], (ushort)label.Length);
        label.CopyTo(w[4..]);
        BinaryPrimitives.WriteUInt16BigEndian(w[(4 + label.Length)..], SeedSize);

        Span<byte> seed = stackalloc byte[SeedSize];
        try
        {
            fixed (byte* output = seed)
            fixed (byte* data = input)
            {
                Sodium.crypto_xof_shake256(output, (nuint)seed.Length, data, (ulong)input.Length);
            }

            return FromSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>The one buffer that holds the secret key, for the key-hygiene tests: pinned, and zero after Dispose.</summary>
    internal byte[] SecretKeyBuffer => _secretKey;

    public ReadOnlyMemory<byte> PublicKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _publicKey;
        }
    }

    /// <summary>
    /// Recovers the 32-byte shared secret from a 1120-byte X-Wing ciphertext. A ciphertext of
    /// another length is attacker input: <see cref="KamuneError.MalformedExchange"/>.
    /// </summary>
    public unsafe void Decapsulate(ReadOnlySpan<byte> ciphertext1120, Span<byte> sharedSecret32)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (sharedSecret32.Length < XWing.SharedSecretSize)
        {
            throw new ArgumentException(
                $"X-Wing shared secret buffer: expected at least {XWing.SharedSecretSize} bytes, got {sharedSecret32.Length}.",
                nameof(sharedSecret32));
        }

        if (ciphertext1120.Length != XWing.CiphertextSize)
        {
            throw new KamuneProtocolException(
                KamuneError.MalformedExchange,
                $"X-Wing ciphertext: expected {XWing.CiphertextSize} bytes, got {ciphertext1120.Length}.");
        }

        fixed (byte* ss = sharedSecret32)
        fixed (byte* ct = ciphertext1120)
        fixed (byte* sk = _secretKey)
        {
            if (Sodium.crypto_kem_xwing_dec(ss, ct, sk) != 0)
            {
                throw new KamuneProtocolException(
                    KamuneError.MalformedExchange,
                    "X-Wing ciphertext: expected a valid encapsulation, got one libsodium rejected.");
            }
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_secretKey);
            _disposed = true;
        }
    }

    public override string ToString() => "XWingKeyPair";
}

/// <summary>X-Wing encapsulation to a 1216-byte public key (ML-KEM-768 ek || X25519 pk).</summary>
internal static class XWing
{
    public const int CiphertextSize = Sodium.XWingCiphertextBytes;
    public const int SharedSecretSize = Sodium.XWingSharedSecretBytes;

    /// <summary>HPKE KEM identifier of MLKEM768-X25519.</summary>
    internal const ushort KemId = 0x647a;

    /// <summary>ML-KEM randomness m (32) followed by the X25519 ephemeral private key (32).</summary>
    internal const int EncapsulationSeedSize = 64;

    private const int MlKemPublicKeySize = Sodium.MlKem768PublicKeyBytes;
    private const int MlKemCiphertextSize = Sodium.MlKem768CiphertextBytes;
    private const int X25519Size = 32;
    private const int MlKemQ = 3329;

    /// <summary>The X-Wing combiner label <c>\.//^\</c>.</summary>
    private static ReadOnlySpan<byte> Label => [0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c];

    /// <summary>
    /// Encapsulates to <paramref name="publicKey"/> with 64 bytes drawn from <paramref name="random"/>
    /// (first 32 = ML-KEM m, next 32 = X25519 ephemeral key, the order draft-connolly-cfrg-xwing-kem
    /// and Go's crypto/hpke use), so a deterministic source gives a reproducible exchange.
    /// </summary>
    public static void Encapsulate(ReadOnlySpan<byte> publicKey, IRandomSource random, Span<byte> ciphertext, Span<byte> sharedSecret)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> eseed = stackalloc byte[EncapsulationSeedSize];
        try
        {
            random.Fill(eseed);
            EncapsulateDeterministic(publicKey, eseed[..32], eseed[32..], ciphertext, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(eseed);
        }
    }

    /// <summary>
    /// X-Wing EncapsulateDerand with explicit ML-KEM randomness m and X25519 ephemeral private key.
    /// Composed from libsodium's ML-KEM-768 deterministic encapsulation, X25519 and SHA3-256
    /// (protocol.md "Checked here": libsodium's own X-Wing derand takes a different seed).
    /// </summary>
    internal static unsafe void EncapsulateDeterministic(
        ReadOnlySpan<byte> publicKey,
        ReadOnlySpan<byte> mlKemRandomness,
        ReadOnlySpan<byte> x25519EphemeralPrivateKey,
        Span<byte> ciphertext,
        Span<byte> sharedSecret)
    {
        if (mlKemRandomness.Length != 32 || x25519EphemeralPrivateKey.Length != X25519Size)
        {
            throw new ArgumentException(
                $"X-Wing encapsulation randomness: expected 32 + 32 bytes, got {mlKemRandomness.Length} + {x25519EphemeralPrivateKey.Length}.");
        }

        if (ciphertext.Length < CiphertextSize || sharedSecret.Length < SharedSecretSize)
        {
            throw new ArgumentException(
                $"X-Wing output buffers: expected at least {CiphertextSize} and {SharedSecretSize} bytes, got {ciphertext.Length} and {sharedSecret.Length}.");
        }

        ValidatePublicKey(publicKey);

        var pkM = publicKey[..MlKemPublicKeySize];
        var pkX = publicKey[MlKemPublicKeySize..];
        var ctM = ciphertext[..MlKemCiphertextSize];
        var ctX = ciphertext.Slice(MlKemCiphertextSize, X25519Size);

        // Combiner input: ss_M || ss_X || ct_X || pk_X || label.
        Span<byte> combiner = stackalloc byte[32 + 32 + 32 + 32 + 6];
        var ssM = combiner[..32];
        var ssX = combiner.Slice(32, 32);
        try
        {
            fixed (byte* ctMp = ctM)
            fixed (byte* ssMp = ssM)
            fixed (byte* pkMp = pkM)
            fixed (byte* mp = mlKemRandomness)
            fixed (byte* ctXp = ctX)
            fixed (byte* ssXp = ssX)
            fixed (byte* ekp = x25519EphemeralPrivateKey)
            fixed (byte* pkXp = pkX)
            {
                if (Sodium.crypto_kem_mlkem768_enc_deterministic(ctMp, ssMp, pkMp, mp) != 0)
                {
                    throw Malformed("an ML-KEM-768 encapsulation key libsodium accepts", "one it rejected");
                }

                if (Sodium.crypto_scalarmult_curve25519_base(ctXp, ekp) != 0)
                {
                    throw new CryptographicException("libsodium crypto_scalarmult_curve25519_base failed.");
                }

                // libsodium refuses an all-zero result (low-order point), as Go's crypto/ecdh does.
                if (Sodium.crypto_scalarmult_curve25519(ssXp, ekp, pkXp) != 0)
                {
                    throw Malformed("an X25519 public key of full order", "a low-order point");
                }
            }

            ctX.CopyTo(combiner.Slice(64, 32));
            pkX.CopyTo(combiner.Slice(96, 32));
            Label.CopyTo(combiner[128..]);
            fixed (byte* ssp = sharedSecret)
            fixed (byte* cp = combiner)
            {
                Sodium.crypto_hash_sha3256(ssp, cp, (ulong)combiner.Length);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(combiner);
        }
    }

    /// <summary>
    /// The checks Go's <c>kem.NewPublicKey</c> makes: 1216 bytes, and every 12-bit ML-KEM
    /// coefficient below q (FIPS 203 encapsulation key modulus check).
    /// </summary>
    internal static void ValidatePublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != XWingKeyPair.PublicKeySize)
        {
            throw new KamuneProtocolException(
                KamuneError.MalformedExchange,
                $"X-Wing public key: expected {XWingKeyPair.PublicKeySize} bytes, got {publicKey.Length}.");
        }

        // The first 3 * 384 bytes hold 768 coefficients, two per 3 bytes; rho (32 bytes) follows.
        var polys = publicKey[..1152];
        for (var i = 0; i < polys.Length; i += 3)
        {
            var a = polys[i] | ((polys[i + 1] & 0x0f) << 8);
            var b = (polys[i + 1] >> 4) | (polys[i + 2] << 4);
            if (a >= MlKemQ || b >= MlKemQ)
            {
                throw Malformed($"ML-KEM coefficients below {MlKemQ}", $"{Math.Max(a, b)} at byte {i}");
            }
        }
    }

    private static KamuneProtocolException Malformed(string expected, string got) =>
        new(KamuneError.MalformedExchange, $"X-Wing public key: expected {expected}, got {got}.");
}

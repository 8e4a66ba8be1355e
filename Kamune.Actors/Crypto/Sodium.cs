using System.Runtime.InteropServices;

namespace Kamune.Crypto;

/// <summary>
/// P/Invoke into the libsodium 1.0.22 that NSec ships ("libsodium" native asset). NSec has no
/// binding for ML-KEM-768 or X-Wing yet, so we call those exports directly. Every entry point
/// here takes pointers to buffers whose sizes the callers check first.
/// </summary>
internal static unsafe partial class Sodium
{
    private const string Library = "libsodium";

    public const int MlKem768PublicKeyBytes = 1184;
    public const int MlKem768SecretKeyBytes = 2400;
    public const int MlKem768CiphertextBytes = 1088;
    public const int MlKem768SharedSecretBytes = 32;
    public const int MlKem768SeedBytes = 64;

    public const int XWingPublicKeyBytes = 1216;
    public const int XWingSecretKeyBytes = 32;
    public const int XWingCiphertextBytes = 1120;
    public const int XWingSharedSecretBytes = 32;
    public const int XWingSeedBytes = 32;

    static Sodium()
    {
        // NSec also initialises libsodium; sodium_init is idempotent and thread-safe (returns 1 when already done).
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise.");
        }

        // The sizes above are the wire contract; fail loudly if the native library disagrees.
        Check(crypto_kem_mlkem768_publickeybytes(), MlKem768PublicKeyBytes, nameof(MlKem768PublicKeyBytes));
        Check(crypto_kem_mlkem768_secretkeybytes(), MlKem768SecretKeyBytes, nameof(MlKem768SecretKeyBytes));
        Check(crypto_kem_mlkem768_ciphertextbytes(), MlKem768CiphertextBytes, nameof(MlKem768CiphertextBytes));
        Check(crypto_kem_mlkem768_seedbytes(), MlKem768SeedBytes, nameof(MlKem768SeedBytes));
        Check(crypto_kem_xwing_publickeybytes(), XWingPublicKeyBytes, nameof(XWingPublicKeyBytes));
        Check(crypto_kem_xwing_secretkeybytes(), XWingSecretKeyBytes, nameof(XWingSecretKeyBytes));
        Check(crypto_kem_xwing_ciphertextbytes(), XWingCiphertextBytes, nameof(XWingCiphertextBytes));
        Check(crypto_kem_xwing_seedbytes(), XWingSeedBytes, nameof(XWingSeedBytes));
    }

    /// <summary>Touches the static constructor so the size checks run before first use.</summary>
    public static void EnsureInitialized()
    {
    }

    private static void Check(nuint actual, int expected, string name)
    {
        if (actual != (nuint)expected)
        {
            throw new InvalidOperationException($"libsodium {name}: expected {expected}, got {actual}.");
        }
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    private static partial nuint crypto_kem_mlkem768_publickeybytes();

    [LibraryImport(Library)]
    private static partial nuint crypto_kem_mlkem768_secretkeybytes();

    [LibraryImport(Library)]
    private static partial nuint crypto_kem_mlkem768_ciphertextbytes();

    [LibraryImport(Library)]
    private static partial nuint crypto_kem_mlkem768_seedbytes();

    /// <summary>Key pair from the 64-byte FIPS 203 seed d||z.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_kem_mlkem768_seed_keypair(byte* pk, byte* sk, byte* seed);

    [LibraryImport(Library)]
    public static partial int crypto_kem_mlkem768_enc(byte* ct, byte* ss, byte* pk);

    /// <summary>Encapsulation with explicit 32-byte randomness m (FIPS 203 Encaps_internal).</summary>
    [LibraryImport(Library)]
    public static partial int crypto_kem_mlkem768_enc_deterministic(byte* ct, byte* ss, byte* pk, byte* seed);

    [LibraryImport(Library)]
    public static partial int crypto_kem_mlkem768_dec(byte* ss, byte* ct, byte* sk);

    [LibraryImport(Library)]
    private static partial nuint crypto_kem_xwing_publickeybytes();

    [LibraryImport(Library)]
    private static partial nuint crypto_kem_xwing_secretkeybytes();

    [LibraryImport(Library)]
    private static partial nuint crypto_kem_xwing_ciphertextbytes();

    [LibraryImport(Library)]
    private static partial nuint crypto_kem_xwing_seedbytes();

    /// <summary>X-Wing key pair from a 32-byte seed (the secret key is the seed itself).</summary>
    [LibraryImport(Library)]
    public static partial int crypto_kem_xwing_seed_keypair(byte* pk, byte* sk, byte* seed);

    [LibraryImport(Library)]
    public static partial int crypto_kem_xwing_enc(byte* ct, byte* ss, byte* pk);

    /// <summary>Deterministic X-Wing encapsulation: the seed's first 32 bytes feed ML-KEM, the next 32 are the X25519 ephemeral key.</summary>
    [LibraryImport(Library)]
    public static partial int crypto_kem_xwing_enc_deterministic(byte* ct, byte* ss, byte* pk, byte* seed);

    [LibraryImport(Library)]
    public static partial int crypto_kem_xwing_dec(byte* ss, byte* ct, byte* sk);

    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_curve25519(byte* q, byte* n, byte* p);

    [LibraryImport(Library)]
    public static partial int crypto_scalarmult_curve25519_base(byte* q, byte* n);

    [LibraryImport(Library)]
    public static partial int crypto_core_hchacha20(byte* output, byte* input, byte* key, byte* constant);

    [LibraryImport(Library)]
    public static partial int crypto_aead_xchacha20poly1305_ietf_encrypt(
        byte* c, ulong* clen, byte* m, ulong mlen, byte* ad, ulong adlen, byte* nsec, byte* npub, byte* k);

    [LibraryImport(Library)]
    public static partial int crypto_aead_xchacha20poly1305_ietf_decrypt(
        byte* m, ulong* mlen, byte* nsec, byte* c, ulong clen, byte* ad, ulong adlen, byte* npub, byte* k);

    [LibraryImport(Library)]
    public static partial int crypto_sign_ed25519_seed_keypair(byte* pk, byte* sk, byte* seed);

    [LibraryImport(Library)]
    public static partial int crypto_sign_ed25519_detached(byte* sig, ulong* siglen, byte* m, ulong mlen, byte* sk);

    [LibraryImport(Library)]
    public static partial int crypto_sign_ed25519_verify_detached(byte* sig, byte* m, ulong mlen, byte* pk);

    [LibraryImport(Library)]
    public static partial void crypto_xof_shake256(byte* output, nuint outlen, byte* input, ulong inlen);

    [LibraryImport(Library)]
    public static partial int crypto_hash_sha3256(byte* output, byte* input, ulong inlen);
}

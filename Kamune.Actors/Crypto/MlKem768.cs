using System.Security.Cryptography;

namespace Kamune.Crypto;

/// <summary>
/// An ephemeral ML-KEM-768 (FIPS 203) decapsulation key, as the initiator creates for each
/// handshake (protocol.md "Flow" step 3). Only the encapsulation key ever leaves this object;
/// the decapsulation key is wiped on <see cref="Dispose"/>.
/// </summary>
internal sealed class MlKem768KeyPair : IDisposable
{
    public const int EncapsulationKeySize = Sodium.MlKem768PublicKeyBytes;
    public const int SeedSize = Sodium.MlKem768SeedBytes;

    private readonly byte[] _encapsulationKey = new byte[EncapsulationKeySize];

    // Pinned so the GC never leaves stray copies of the secret behind when it compacts.
    private readonly byte[] _decapsulationKey = GC.AllocateUninitializedArray<byte>(Sodium.MlKem768SecretKeyBytes, pinned: true);
    private bool _disposed;

    private MlKem768KeyPair()
    {
    }

    /// <summary>The one buffer that holds the decapsulation key, for the key-hygiene tests: pinned, and zero after Dispose.</summary>
    internal byte[] DecapsulationKeyBuffer => _decapsulationKey;

    public ReadOnlyMemory<byte> EncapsulationKey
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _encapsulationKey;
        }
    }

    /// <summary>A fresh key pair from a 64-byte seed d||z drawn from <paramref name="random"/>.</summary>
    public static MlKem768KeyPair Generate(IRandomSource random) =>
        SeedDraw.Generate(random, SeedSize, FromSeed);

    /// <summary>The FIPS 203 ML-KEM.KeyGen_internal(d, z) key pair for the seed d||z (64 bytes).</summary>
    public static unsafe MlKem768KeyPair FromSeed(ReadOnlySpan<byte> seed64)
    {
        if (seed64.Length != SeedSize)
        {
            throw new ArgumentException($"ML-KEM-768 seed: expected {SeedSize} bytes, got {seed64.Length}.", nameof(seed64));
        }

        var pair = new MlKem768KeyPair();
        fixed (byte* pk = pair._encapsulationKey)
        fixed (byte* sk = pair._decapsulationKey)
        fixed (byte* seed = seed64)
        {
            if (Sodium.crypto_kem_mlkem768_seed_keypair(pk, sk, seed) != 0)
            {
                pair.Dispose();
                throw new CryptographicException("libsodium crypto_kem_mlkem768_seed_keypair failed.");
            }
        }

        return pair;
    }

    /// <summary>
    /// Recovers the shared secret from the responder's ciphertext. A ciphertext of the right size
    /// always yields a secret (FIPS 203 implicit rejection); a forged one simply yields a secret the
    /// peer does not share, which the challenge exchange then exposes.
    /// </summary>
    public unsafe void Decapsulate(ReadOnlySpan<byte> ciphertext1088, Span<byte> sharedSecret32)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (sharedSecret32.Length != MlKem768.SharedSecretSize)
        {
            throw new ArgumentException(
                $"ML-KEM-768 shared secret buffer: expected {MlKem768.SharedSecretSize} bytes, got {sharedSecret32.Length}.",
                nameof(sharedSecret32));
        }

        if (ciphertext1088.Length != MlKem768.CiphertextSize)
        {
            throw new KamuneProtocolException(
                KamuneError.InvalidHandshake,
                $"ML-KEM-768 ciphertext: expected {MlKem768.CiphertextSize} bytes, got {ciphertext1088.Length}.");
        }

        fixed (byte* ss = sharedSecret32)
        fixed (byte* ct = ciphertext1088)
        fixed (byte* sk = _decapsulationKey)
        {
            if (Sodium.crypto_kem_mlkem768_dec(ss, ct, sk) != 0)
            {
                CryptographicOperations.ZeroMemory(sharedSecret32);
                throw new KamuneProtocolException(KamuneError.InvalidHandshake, "ML-KEM-768 decapsulation was refused by libsodium.");
            }
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_decapsulationKey);
            _disposed = true;
        }
    }

    public override string ToString() => nameof(MlKem768KeyPair);
}

/// <summary>The responder's half of the ML-KEM-768 handshake (protocol.md "Flow" step 3).</summary>
internal static class MlKem768
{
    public const int CiphertextSize = Sodium.MlKem768CiphertextBytes;
    public const int SharedSecretSize = Sodium.MlKem768SharedSecretBytes;
    public const int RandomnessSize = 32;

    /// <summary>
    /// Encapsulates to the initiator's key with 32 bytes of randomness m from <paramref name="random"/>.
    /// The key is attacker input: a wrong length or a non-canonical key is <see cref="KamuneError.InvalidHandshake"/>.
    /// </summary>
    public static void Encapsulate(ReadOnlySpan<byte> encapsulationKey, IRandomSource random, Span<byte> ciphertext, Span<byte> sharedSecret)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> m = stackalloc byte[RandomnessSize];
        try
        {
            random.Fill(m);
            EncapsulateDeterministic(encapsulationKey, m, ciphertext, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(m);
        }
    }

    /// <summary>FIPS 203 ML-KEM.Encaps_internal(ek, m): the known-answer form used by tests and by <see cref="Encapsulate"/>.</summary>
    public static unsafe void EncapsulateDeterministic(ReadOnlySpan<byte> ek, ReadOnlySpan<byte> m32, Span<byte> ct, Span<byte> ss)
    {
        if (m32.Length != RandomnessSize)
        {
            throw new ArgumentException($"ML-KEM-768 randomness: expected {RandomnessSize} bytes, got {m32.Length}.", nameof(m32));
        }

        if (ct.Length != CiphertextSize)
        {
            throw new ArgumentException($"ML-KEM-768 ciphertext buffer: expected {CiphertextSize} bytes, got {ct.Length}.", nameof(ct));
        }

        if (ss.Length != SharedSecretSize)
        {
            throw new ArgumentException($"ML-KEM-768 shared secret buffer: expected {SharedSecretSize} bytes, got {ss.Length}.", nameof(ss));
        }

        if (ek.Length != MlKem768KeyPair.EncapsulationKeySize)
        {
            throw new KamuneProtocolException(
                KamuneError.InvalidHandshake,
                $"ML-KEM-768 encapsulation key: expected {MlKem768KeyPair.EncapsulationKeySize} bytes, got {ek.Length}.");
        }

        fixed (byte* pk = ek)
        fixed (byte* seed = m32)
        fixed (byte* c = ct)
        fixed (byte* s = ss)
        {
            // libsodium returns -1 when the key fails the FIPS 203 modulus check (coefficients >= q).
            if (Sodium.crypto_kem_mlkem768_enc_deterministic(c, s, pk, seed) != 0)
            {
                CryptographicOperations.ZeroMemory(ss);
                throw new KamuneProtocolException(
                    KamuneError.InvalidHandshake,
                    "ML-KEM-768 encapsulation key: expected a canonical key (all coefficients below q), got a non-canonical one.");
            }
        }
    }
}

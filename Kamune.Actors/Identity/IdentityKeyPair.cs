using System.Security.Cryptography;
using Kamune.Crypto;
using Kamune.Identity;

namespace Kamune;

/// <summary>
/// This node's long-term Ed25519 identity. Signs every SignedTransport (protocol.md layer 5). The secret
/// lives in a pinned buffer that is zeroed on <see cref="Dispose"/>; it never prints itself.
/// </summary>
public sealed class IdentityKeyPair : IDisposable
{
    /// <summary>Bytes in an Ed25519 seed (the RFC 8032 private key) that <see cref="FromSeed"/> takes.</summary>
    public const int SeedLength = 32;

    /// <summary>Bytes in an Ed25519 signature, as <see cref="Sign(ReadOnlySpan{byte})"/> writes it.</summary>
    public const int SignatureLength = PublicIdentity.SignatureLength;

    private const int SecretKeyLength = 64;

    // libsodium's secret key is seed || public key; pinned so the GC never leaves copies behind.
    private readonly byte[] _secretKey = GC.AllocateArray<byte>(SecretKeyLength, pinned: true);
    private bool _disposed;

    private unsafe IdentityKeyPair(ReadOnlySpan<byte> seed)
    {
        Sodium.EnsureInitialized();
        Span<byte> publicKey = stackalloc byte[PublicIdentity.RawLength];
        fixed (byte* pk = publicKey)
        fixed (byte* sk = _secretKey)
        fixed (byte* s = seed)
        {
            if (Sodium.crypto_sign_ed25519_seed_keypair(pk, sk, s) != 0)
            {
                CryptographicOperations.ZeroMemory(_secretKey);
                throw new CryptographicException("crypto_sign_ed25519_seed_keypair failed.");
            }
        }

        PublicIdentity = PublicIdentity.FromRaw(publicKey);
    }

    /// <summary>A fresh identity from 32 seed bytes drawn from <paramref name="random"/>.</summary>
    public static IdentityKeyPair Generate(IRandomSource random) =>
        SeedDraw.Generate(random, SeedLength, seed => new IdentityKeyPair(seed));

    /// <summary>The identity whose RFC 8032 private key (seed) is <paramref name="seed32"/>.</summary>
    public static IdentityKeyPair FromSeed(ReadOnlySpan<byte> seed32)
    {
        if (seed32.Length != SeedLength)
        {
            throw new ArgumentException($"Ed25519 seed: expected {SeedLength} bytes, got {seed32.Length}.", nameof(seed32));
        }

        return new IdentityKeyPair(seed32);
    }

    /// <summary>Reads a "PRIVATE KEY" PEM as Go's x509 writes and reads it (PKCS#8 v1 or v2); InvalidPrivateKey otherwise.</summary>
    public static IdentityKeyPair ImportPkcs8Pem(string pem)
    {
        Span<byte> seed = stackalloc byte[SeedLength];
        try
        {
            var embeddedPublicKey = IdentityPem.Decode(pem, seed);
            var pair = new IdentityKeyPair(seed);
            if (embeddedPublicKey is not null && !pair.PublicIdentity.Equals(PublicIdentity.FromRaw(embeddedPublicKey)))
            {
                pair.Dispose();
                throw new KamuneProtocolException(
                    KamuneError.InvalidPrivateKey, "Private key: expected the embedded public key to match the seed, got a different key.");
            }

            return pair;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>The public half: what peers see in this node's Introduce and verify its signatures with. Safe to share.</summary>
    public PublicIdentity PublicIdentity { get; }

    /// <summary>The one buffer that holds the secret key, for the key-hygiene tests: pinned, and zero after Dispose.</summary>
    internal byte[] SecretKeyBuffer => _secretKey;

    /// <summary>
    /// Ed25519 detached signature of <paramref name="message"/> into the first 64 bytes of <paramref name="signature64"/>.
    /// Throws <see cref="ArgumentException"/> for a shorter buffer, <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.
    /// </summary>
    public unsafe void Sign(ReadOnlySpan<byte> message, Span<byte> signature64)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (signature64.Length < SignatureLength)
        {
            throw new ArgumentException(
                $"Signature buffer: expected at least {SignatureLength} bytes, got {signature64.Length}.", nameof(signature64));
        }

        fixed (byte* sig = signature64)
        fixed (byte* m = message)
        fixed (byte* sk = _secretKey)
        {
            if (Sodium.crypto_sign_ed25519_detached(sig, null, m, (ulong)message.Length, sk) != 0)
            {
                throw new CryptographicException("crypto_sign_ed25519_detached failed.");
            }
        }
    }

    /// <summary>
    /// Ed25519 detached signature of <paramref name="message"/>, in a new 64-byte array. Throws
    /// <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var signature = new byte[SignatureLength];
        Sign(message, signature);
        return signature;
    }

    /// <summary>The PKCS#8 PEM of this key (the secret): store it with care.</summary>
    public string ExportPkcs8Pem()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return IdentityPem.Encode(_secretKey.AsSpan(0, SeedLength));
    }

    /// <summary>
    /// Zeroes the secret key. Signing and exporting then throw <see cref="ObjectDisposedException"/>;
    /// <see cref="PublicIdentity"/> stays usable. Dispose only once no session signs with it.
    /// </summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_secretKey);
            _disposed = true;
        }
    }

    /// <summary>Names the key by its public fingerprint; the secret never appears.</summary>
    public override string ToString() => $"IdentityKeyPair({PublicIdentity.DefaultName})";
}

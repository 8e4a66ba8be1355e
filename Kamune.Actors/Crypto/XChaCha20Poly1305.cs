using System.Security.Cryptography;

namespace Kamune.Crypto;

/// <summary>
/// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha) with no associated data: the session AEAD of
/// protocol.md "Layers" 4. Backed by libsodium, which measured faster than HChaCha20 plus the
/// platform ChaCha20Poly1305 for the padded sizes most messages have (512 to 4096 bytes).
/// Programmer misuse (wrong key, nonce or buffer size) throws; a forged ciphertext returns false.
/// </summary>
internal static class XChaCha20Poly1305
{
    public const int KeySize = 32;
    public const int NonceSize = 24;
    public const int TagSize = 16;

    /// <summary>Writes ciphertext || tag (plaintext length + 16 bytes) into <paramref name="ciphertextAndTag"/>.</summary>
    public static unsafe void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertextAndTag)
    {
        CheckKeyAndNonce(key, nonce);
        if (ciphertextAndTag.Length != plaintext.Length + TagSize)
        {
            throw new ArgumentException(
                $"XChaCha20-Poly1305 output: expected {plaintext.Length + TagSize} bytes, got {ciphertextAndTag.Length}.",
                nameof(ciphertextAndTag));
        }

        fixed (byte* k = key)
        fixed (byte* n = nonce)
        fixed (byte* m = plaintext)
        fixed (byte* c = ciphertextAndTag)
        {
            // Cannot fail for valid sizes; the check keeps a broken native library from going unnoticed.
            if (Sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(c, null, m, (ulong)plaintext.Length, null, 0, null, n, k) != 0)
            {
                throw new CryptographicException("libsodium crypto_aead_xchacha20poly1305_ietf_encrypt failed.");
            }
        }
    }

    /// <summary>
    /// Authenticates and decrypts ciphertext || tag into <paramref name="plaintext"/> (input length - 16
    /// bytes). Returns false, with <paramref name="plaintext"/> cleared, when the input is shorter than a
    /// tag or does not authenticate.
    /// </summary>
    public static unsafe bool TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertextAndTag, Span<byte> plaintext)
    {
        CheckKeyAndNonce(key, nonce);
        if (ciphertextAndTag.Length < TagSize)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }

        if (plaintext.Length != ciphertextAndTag.Length - TagSize)
        {
            throw new ArgumentException(
                $"XChaCha20-Poly1305 plaintext buffer: expected {ciphertextAndTag.Length - TagSize} bytes, got {plaintext.Length}.",
                nameof(plaintext));
        }

        int result;
        fixed (byte* k = key)
        fixed (byte* n = nonce)
        fixed (byte* c = ciphertextAndTag)
        fixed (byte* m = plaintext)
        {
            result = Sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(m, null, null, c, (ulong)ciphertextAndTag.Length, null, 0, n, k);
        }

        if (result != 0)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }

        return true;
    }

    private static void CheckKeyAndNonce(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"XChaCha20-Poly1305 key: expected {KeySize} bytes, got {key.Length}.", nameof(key));
        }

        if (nonce.Length != NonceSize)
        {
            throw new ArgumentException($"XChaCha20-Poly1305 nonce: expected {NonceSize} bytes, got {nonce.Length}.", nameof(nonce));
        }
    }
}

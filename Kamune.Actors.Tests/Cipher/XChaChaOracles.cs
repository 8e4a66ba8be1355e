using Kamune.Crypto;
using Org.BouncyCastle.Crypto.Parameters;

namespace Kamune.Tests.Cipher;

/// <summary>
/// Two XChaCha20-Poly1305 implementations independent of the libsodium AEAD on the hot path:
/// BouncyCastle's managed one, and HChaCha20 + the platform ChaCha20Poly1305 (the alternative
/// measured for the hot path), whose 12-byte nonce is 0000 || nonce[16..24].
/// </summary>
internal static class XChaChaOracles
{
    public static byte[] BouncyCastleSeal(byte[] key, byte[] nonce, byte[] plaintext)
    {
        var cipher = new Org.BouncyCastle.Crypto.Modes.XChaCha20Poly1305();
        cipher.Init(true, new AeadParameters(new KeyParameter(key), XChaCha20Poly1305.TagSize * 8, nonce));
        var output = new byte[cipher.GetOutputSize(plaintext.Length)];
        var written = cipher.ProcessBytes(plaintext, 0, plaintext.Length, output, 0);
        cipher.DoFinal(output, written);
        return output;
    }

    public static unsafe byte[] PlatformSeal(byte[] key, byte[] nonce, byte[] plaintext)
    {
        var subkey = new byte[32];
        fixed (byte* s = subkey)
        fixed (byte* k = key)
        fixed (byte* n = nonce)
        {
            Assert.Equal(0, Sodium.crypto_core_hchacha20(s, n, k, null));
        }

        var ietfNonce = new byte[12];
        nonce.AsSpan(16, 8).CopyTo(ietfNonce.AsSpan(4));
        using var aead = new System.Security.Cryptography.ChaCha20Poly1305(subkey);
        var output = new byte[plaintext.Length + XChaCha20Poly1305.TagSize];
        aead.Encrypt(ietfNonce, plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length));
        return output;
    }
}

using Kamune.Crypto;

namespace Kamune.Tests.Cipher;

/// <summary>The libsodium XChaCha20-Poly1305 against BouncyCastle and HChaCha20 + platform ChaCha20Poly1305.</summary>
public class XChaChaDifferentialTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(512)]
    [InlineData(4096)]
    [InlineData(65495)]
    public void Libsodium_seal_matches_both_oracles_and_opens_their_output(int length)
    {
        var random = new DeterministicRandomSource((ulong)length + 100);
        var key = new byte[XChaCha20Poly1305.KeySize];
        var nonce = new byte[XChaCha20Poly1305.NonceSize];
        var plaintext = new byte[length];
        random.Fill(key);
        random.Fill(nonce);
        random.Fill(plaintext);

        var sealedText = new byte[length + XChaCha20Poly1305.TagSize];
        XChaCha20Poly1305.Seal(key, nonce, plaintext, sealedText);

        Assert.Equal(XChaChaOracles.BouncyCastleSeal(key, nonce, plaintext), sealedText);
        Assert.Equal(XChaChaOracles.PlatformSeal(key, nonce, plaintext), sealedText);

        var opened = new byte[length];
        Assert.True(XChaCha20Poly1305.TryOpen(key, nonce, XChaChaOracles.BouncyCastleSeal(key, nonce, plaintext), opened));
        Assert.Equal(plaintext, opened);
    }

    [Fact]
    public void Seal_works_in_place()
    {
        var random = new DeterministicRandomSource(77);
        var key = new byte[XChaCha20Poly1305.KeySize];
        var nonce = new byte[XChaCha20Poly1305.NonceSize];
        var buffer = new byte[100 + XChaCha20Poly1305.TagSize];
        random.Fill(key);
        random.Fill(nonce);
        random.Fill(buffer.AsSpan(0, 100));
        var plaintext = buffer[..100];

        XChaCha20Poly1305.Seal(key, nonce, buffer.AsSpan(0, 100), buffer);

        Assert.Equal(XChaChaOracles.BouncyCastleSeal(key, nonce, plaintext), buffer);
    }

    [Fact]
    public void Wrong_key_nonce_or_buffer_sizes_are_programmer_errors()
    {
        var key = new byte[32];
        var nonce = new byte[24];
        Assert.Throws<ArgumentException>(() => XChaCha20Poly1305.Seal(new byte[31], nonce, new byte[1], new byte[17]));
        Assert.Throws<ArgumentException>(() => XChaCha20Poly1305.Seal(key, new byte[12], new byte[1], new byte[17]));
        Assert.Throws<ArgumentException>(() => XChaCha20Poly1305.Seal(key, nonce, new byte[1], new byte[16]));
        Assert.Throws<ArgumentException>(() => XChaCha20Poly1305.TryOpen(key, nonce, new byte[17], new byte[2]));
    }

    [Fact]
    public void TryOpen_returns_false_for_input_shorter_than_a_tag()
    {
        Assert.False(XChaCha20Poly1305.TryOpen(new byte[32], new byte[24], new byte[15], new byte[0]));
    }
}

using Kamune.Crypto;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Kamune.Tests.Handshake;

/// <summary>libsodium ML-KEM-768 (hot path) against BouncyCastle's independent implementation.</summary>
public class MlKem768DifferentialTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(4UL)]
    public void Libsodium_and_BouncyCastle_agree_on_keys_ciphertexts_and_secrets(ulong seed)
    {
        var random = new DeterministicRandomSource(seed);
        var keySeed = new byte[MlKem768KeyPair.SeedSize];
        var m = new byte[MlKem768.RandomnessSize];
        random.Fill(keySeed);
        random.Fill(m);

        using var pair = MlKem768KeyPair.FromSeed(keySeed);
        var bcPrivate = MLKemPrivateKeyParameters.FromSeed(MLKemParameters.ml_kem_768, keySeed);
        Assert.Equal(bcPrivate.GetPublicKeyEncoded(), pair.EncapsulationKey.ToArray());

        var ciphertext = new byte[MlKem768.CiphertextSize];
        var secret = new byte[MlKem768.SharedSecretSize];
        MlKem768.EncapsulateDeterministic(pair.EncapsulationKey.Span, m, ciphertext, secret);

        var encapsulator = new MLKemEncapsulator(MLKemParameters.ml_kem_768);
        encapsulator.Init(new ParametersWithRandom(bcPrivate.GetPublicKey(), new FixedBytesSecureRandom(m)));
        var bcCiphertext = new byte[MlKem768.CiphertextSize];
        var bcSecret = new byte[MlKem768.SharedSecretSize];
        encapsulator.Encapsulate(bcCiphertext, bcSecret);
        Assert.Equal(bcCiphertext, ciphertext);
        Assert.Equal(bcSecret, secret);

        var decapsulated = new byte[MlKem768.SharedSecretSize];
        pair.Decapsulate(ciphertext, decapsulated);
        Assert.Equal(secret, decapsulated);
    }

    [Fact]
    public void Decapsulating_a_tampered_ciphertext_agrees_with_BouncyCastle_implicit_rejection()
    {
        var random = new DeterministicRandomSource(42);
        var keySeed = new byte[MlKem768KeyPair.SeedSize];
        random.Fill(keySeed);
        using var pair = MlKem768KeyPair.FromSeed(keySeed);
        var ciphertext = new byte[MlKem768.CiphertextSize];
        var secret = new byte[MlKem768.SharedSecretSize];
        MlKem768.Encapsulate(pair.EncapsulationKey.Span, random, ciphertext, secret);
        ciphertext[100] ^= 0x01;

        var rejected = new byte[MlKem768.SharedSecretSize];
        pair.Decapsulate(ciphertext, rejected);

        var decapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
        decapsulator.Init(MLKemPrivateKeyParameters.FromSeed(MLKemParameters.ml_kem_768, keySeed));
        var bcRejected = new byte[MlKem768.SharedSecretSize];
        decapsulator.Decapsulate(ciphertext, bcRejected);

        Assert.NotEqual(secret, rejected);
        Assert.Equal(bcRejected, rejected);
    }

    [Fact]
    public void Encapsulate_rejects_a_non_canonical_key_that_BouncyCastle_also_refuses()
    {
        using var pair = MlKem768KeyPair.Generate(new DeterministicRandomSource(7));
        var key = pair.EncapsulationKey.ToArray();
        // First 12-bit coefficient := 0xFFF (>= q = 3329): fails the FIPS 203 modulus check.
        key[0] = 0xFF;
        key[1] |= 0x0F;

        var error = Assert.Throws<KamuneProtocolException>(() =>
            MlKem768.Encapsulate(key, new DeterministicRandomSource(8), new byte[MlKem768.CiphertextSize], new byte[MlKem768.SharedSecretSize]));
        Assert.Equal(KamuneError.InvalidHandshake, error.Error);

        Assert.ThrowsAny<Exception>(() => MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, key));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1183)]
    [InlineData(1185)]
    public void Encapsulate_rejects_a_key_of_the_wrong_length(int length)
    {
        var error = Assert.Throws<KamuneProtocolException>(() =>
            MlKem768.Encapsulate(new byte[length], new DeterministicRandomSource(1), new byte[MlKem768.CiphertextSize], new byte[MlKem768.SharedSecretSize]));

        Assert.Equal(KamuneError.InvalidHandshake, error.Error);
        Assert.Contains("expected 1184 bytes, got " + length, error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1087)]
    [InlineData(1089)]
    public void Decapsulate_rejects_a_ciphertext_of_the_wrong_length(int length)
    {
        using var pair = MlKem768KeyPair.Generate(new DeterministicRandomSource(9));

        var error = Assert.Throws<KamuneProtocolException>(() => pair.Decapsulate(new byte[length], new byte[MlKem768.SharedSecretSize]));

        Assert.Equal(KamuneError.InvalidHandshake, error.Error);
        Assert.Contains("expected 1088 bytes, got " + length, error.Message);
    }

    [Fact]
    public void Disposed_key_pair_refuses_use_and_never_prints_key_material()
    {
        var pair = MlKem768KeyPair.Generate(new DeterministicRandomSource(10));
        Assert.Equal(nameof(MlKem768KeyPair), pair.ToString());

        pair.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pair.Decapsulate(new byte[MlKem768.CiphertextSize], new byte[MlKem768.SharedSecretSize]));
        Assert.Throws<ObjectDisposedException>(() => pair.EncapsulationKey);
    }

    /// <summary>A SecureRandom that yields exactly the given bytes: BouncyCastle's way to inject encapsulation randomness m.</summary>
    private sealed class FixedBytesSecureRandom(byte[] bytes) : SecureRandom
    {
        private int _position;

        public override void NextBytes(byte[] buf) => NextBytes(buf.AsSpan());

        public override void NextBytes(byte[] buf, int off, int len) => NextBytes(buf.AsSpan(off, len));

        public override void NextBytes(Span<byte> buffer)
        {
            if (buffer.Length > bytes.Length - _position)
            {
                throw new InvalidOperationException($"expected at most {bytes.Length - _position} random bytes to be requested, got {buffer.Length}.");
            }

            bytes.AsSpan(_position, buffer.Length).CopyTo(buffer);
            _position += buffer.Length;
        }
    }
}

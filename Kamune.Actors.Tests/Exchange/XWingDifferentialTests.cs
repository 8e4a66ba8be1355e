using Kamune.Crypto;
using Kamune.Tests.Support;

namespace Kamune.Tests.Exchange;

/// <summary>libsodium-backed X-Wing against an independent BouncyCastle composition.</summary>
public class XWingDifferentialTests
{
    public static TheoryData<ulong> Seeds => [1, 2, 3, 0xdeadbeef];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Key_pair_from_seed_matches_the_oracle(ulong seed)
    {
        var bytes = Draw(new DeterministicRandomSource(seed), 32);
        using var keyPair = XWingKeyPair.FromSeed(bytes);
        Assert.Equal(XWingOracle.KeyPair(bytes).PublicKey, keyPair.PublicKey.ToArray());
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Encapsulation_matches_the_oracle_and_decapsulates_both_ways(ulong seed)
    {
        var random = new DeterministicRandomSource(seed);
        var recipientSeed = Draw(random, 32);
        var eseed = Draw(random, 64);
        using var recipient = XWingKeyPair.FromSeed(recipientSeed);

        var ciphertext = new byte[XWing.CiphertextSize];
        var sharedSecret = new byte[XWing.SharedSecretSize];
        XWing.Encapsulate(recipient.PublicKey.Span, new ScriptedRandomSource(eseed), ciphertext, sharedSecret);

        var (oracleCiphertext, oracleSecret) = XWingOracle.Encapsulate(recipient.PublicKey.ToArray(), eseed[..32], eseed[32..]);
        Assert.Equal(oracleCiphertext, ciphertext);
        Assert.Equal(oracleSecret, sharedSecret);
        Assert.Equal(oracleSecret, XWingOracle.Decapsulate(recipientSeed, ciphertext));

        var decapsulated = new byte[XWing.SharedSecretSize];
        recipient.Decapsulate(oracleCiphertext, decapsulated);
        Assert.Equal(oracleSecret, decapsulated);
    }

    [Fact]
    public void Encapsulate_draws_exactly_64_bytes_of_randomness()
    {
        using var recipient = XWingKeyPair.Generate(new DeterministicRandomSource(9));
        var random = new ScriptedRandomSource(new byte[64], new byte[1]);
        XWing.Encapsulate(recipient.PublicKey.Span, random, new byte[XWing.CiphertextSize], new byte[XWing.SharedSecretSize]);
        Assert.Equal(1, random.Remaining);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1215)]
    [InlineData(1217)]
    public void Encapsulate_rejects_a_public_key_of_the_wrong_length(int length)
    {
        var ex = Assert.Throws<KamuneProtocolException>(() => XWing.Encapsulate(
            new byte[length], new DeterministicRandomSource(1), new byte[XWing.CiphertextSize], new byte[XWing.SharedSecretSize]));
        Assert.Equal(KamuneError.MalformedExchange, ex.Error);
        Assert.Contains($"got {length}", ex.Message);
    }

    [Fact]
    public void Encapsulate_rejects_an_ml_kem_key_with_a_coefficient_above_the_modulus()
    {
        using var recipient = XWingKeyPair.Generate(new DeterministicRandomSource(4));
        var publicKey = recipient.PublicKey.ToArray();
        publicKey[0] = 0xff;
        publicKey[1] |= 0x0f;
        var ex = Assert.Throws<KamuneProtocolException>(() => XWing.Encapsulate(
            publicKey, new DeterministicRandomSource(1), new byte[XWing.CiphertextSize], new byte[XWing.SharedSecretSize]));
        Assert.Equal(KamuneError.MalformedExchange, ex.Error);
    }

    [Fact]
    public void Encapsulate_rejects_a_low_order_x25519_key()
    {
        using var recipient = XWingKeyPair.Generate(new DeterministicRandomSource(5));
        var publicKey = recipient.PublicKey.ToArray();
        publicKey.AsSpan(1184).Clear();
        var ex = Assert.Throws<KamuneProtocolException>(() => XWing.Encapsulate(
            publicKey, new DeterministicRandomSource(1), new byte[XWing.CiphertextSize], new byte[XWing.SharedSecretSize]));
        Assert.Equal(KamuneError.MalformedExchange, ex.Error);
    }

    [Theory]
    [InlineData(1119)]
    [InlineData(1121)]
    public void Decapsulate_rejects_a_ciphertext_of_the_wrong_length(int length)
    {
        using var recipient = XWingKeyPair.Generate(new DeterministicRandomSource(6));
        var ex = Assert.Throws<KamuneProtocolException>(() => recipient.Decapsulate(new byte[length], new byte[32]));
        Assert.Equal(KamuneError.MalformedExchange, ex.Error);
        Assert.Contains("expected 1120", ex.Message);
    }

    [Fact]
    public void Disposed_key_pair_refuses_use_and_never_prints_key_material()
    {
        var keyPair = XWingKeyPair.Generate(new DeterministicRandomSource(7));
        Assert.Equal("XWingKeyPair", keyPair.ToString());
        keyPair.Dispose();
        Assert.Throws<ObjectDisposedException>(() => keyPair.Decapsulate(new byte[XWing.CiphertextSize], new byte[32]));
        Assert.Throws<ObjectDisposedException>(() => keyPair.PublicKey);
    }

    [Fact]
    public void From_seed_rejects_a_seed_of_the_wrong_length() =>
        Assert.Throws<ArgumentException>(() => XWingKeyPair.FromSeed(new byte[31]));

    private static byte[] Draw(IRandomSource random, int length)
    {
        var bytes = new byte[length];
        random.Fill(bytes);
        return bytes;
    }
}

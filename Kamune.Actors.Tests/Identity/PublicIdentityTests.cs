using Kamune.Protocol;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Kamune.Tests.Identity;

public class PublicIdentityTests
{
    private static IdentityKeyPair NewKey(ulong seed) => IdentityKeyPair.Generate(new DeterministicRandomSource(seed));

    [Fact]
    public void Pkix_is_what_bouncy_castle_writes_and_reads()
    {
        using var key = NewKey(1);
        var oracle = new Ed25519PublicKeyParameters(key.PublicIdentity.Raw.ToArray());
        Assert.Equal(
            SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(oracle).GetDerEncoded(),
            key.PublicIdentity.Pkix.ToArray());

        var parsed = (Ed25519PublicKeyParameters)PublicKeyFactory.CreateKey(key.PublicIdentity.Pkix.ToArray());
        Assert.Equal(key.PublicIdentity.Raw.ToArray(), parsed.GetEncoded());
    }

    [Fact]
    public void Verify_agrees_with_bouncy_castle_on_good_and_bad_signatures()
    {
        using var key = NewKey(2);
        var random = new DeterministicRandomSource(3);
        var oracleKey = new Ed25519PublicKeyParameters(key.PublicIdentity.Raw.ToArray());
        for (var i = 0; i < 20; i++)
        {
            var message = new byte[i * 13];
            random.Fill(message);
            var signature = key.Sign(message);
            if (i % 2 == 1)
            {
                signature[i % 64] ^= (byte)(1 << (i % 8));
            }

            var oracle = new Ed25519Signer();
            oracle.Init(false, oracleKey);
            oracle.BlockUpdate(message, 0, message.Length);
            Assert.Equal(oracle.VerifySignature(signature), key.PublicIdentity.Verify(message, signature));
            Assert.Equal(i % 2 == 0, key.PublicIdentity.Verify(message, signature));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(65)]
    public void Verify_is_false_for_wrong_signature_length(int length)
    {
        using var key = NewKey(1);
        Assert.False(key.PublicIdentity.Verify("m"u8, new byte[length]));
    }

    [Fact]
    public void FromPkix_rejects_wrong_length_and_other_algorithms()
    {
        using var key = NewKey(1);
        var pkix = key.PublicIdentity.Pkix.ToArray();
        AssertInvalid(pkix.AsSpan(0, 43).ToArray());
        AssertInvalid([.. pkix, 0]);
        AssertInvalid([]);

        // X25519 SPKI: identical shape, OID 1.3.101.110.
        var x25519 = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(
            new X25519PublicKeyParameters(key.PublicIdentity.Raw.ToArray())).GetDerEncoded();
        Assert.Equal(PublicIdentity.PkixLength, x25519.Length);
        AssertInvalid(x25519);
        Assert.False(PublicIdentity.TryFromPkix(x25519, out _));
        Assert.True(PublicIdentity.TryFromPkix(pkix, out var parsed));
        Assert.Equal(key.PublicIdentity, parsed);
    }

    [Fact]
    public void Equality_is_over_the_key()
    {
        using var a = NewKey(1);
        using var b = NewKey(2);
        var again = PublicIdentity.FromRaw(a.PublicIdentity.Raw.Span);
        Assert.Equal(a.PublicIdentity, again);
        Assert.Equal(a.PublicIdentity.GetHashCode(), again.GetHashCode());
        Assert.NotEqual(a.PublicIdentity, b.PublicIdentity);
    }

    [Fact]
    public void FromRaw_with_wrong_length_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => PublicIdentity.FromRaw(new byte[33]));
    }

    private static void AssertInvalid(byte[] der)
    {
        var error = Assert.Throws<KamuneProtocolException>(() => PublicIdentity.FromPkix(der));
        Assert.Equal(KamuneError.InvalidPublicKey, error.Error);
        Assert.Contains("expected", error.Message);
    }
}

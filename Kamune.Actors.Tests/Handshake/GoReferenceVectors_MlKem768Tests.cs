using System.Security.Cryptography;
using Kamune.Crypto;
using Kamune.Tests.Vectors;
using Kamune.Tests.Support;

namespace Kamune.Tests.Handshake;

/// <summary>ML-KEM-768 against go-reference-0.7.0.json section "mlkem768" (Go crypto/mlkem).</summary>
public class GoReferenceVectors_MlKem768Tests
{
    private static readonly System.Text.Json.JsonElement Section = VectorFile.GoReference.GetProperty("mlkem768");

    private static byte[] Field(string name) => VectorFile.Hex(Section.GetProperty(name));

    [Fact]
    public void FromSeed_reproduces_the_Go_encapsulation_key()
    {
        using var pair = MlKem768KeyPair.FromSeed(Field("seed_d_z"));

        Assert.Equal(Field("encapsulation_key"), pair.EncapsulationKey.ToArray());
        Assert.Equal(Field("encapsulation_key_sha256"), SHA256.HashData(pair.EncapsulationKey.Span));
    }

    [Fact]
    public void EncapsulateDeterministic_reproduces_the_Go_ciphertext_and_shared_secret()
    {
        var ciphertext = new byte[MlKem768.CiphertextSize];
        var secret = new byte[MlKem768.SharedSecretSize];

        MlKem768.EncapsulateDeterministic(Field("encapsulation_key"), Field("encaps_randomness_m"), ciphertext, secret);

        Assert.Equal(Field("ciphertext"), ciphertext);
        Assert.Equal(Field("ciphertext_sha256"), SHA256.HashData(ciphertext));
        Assert.Equal(Field("shared_secret"), secret);
    }

    [Fact]
    public void Encapsulate_draws_m_from_the_random_source()
    {
        var ciphertext = new byte[MlKem768.CiphertextSize];
        var secret = new byte[MlKem768.SharedSecretSize];

        MlKem768.Encapsulate(Field("encapsulation_key"), new ScriptedRandomSource(Field("encaps_randomness_m")), ciphertext, secret);

        Assert.Equal(Field("ciphertext"), ciphertext);
        Assert.Equal(Field("shared_secret"), secret);
    }

    [Fact]
    public void Decapsulate_recovers_the_Go_shared_secret()
    {
        using var pair = MlKem768KeyPair.FromSeed(Field("seed_d_z"));
        var secret = new byte[MlKem768.SharedSecretSize];

        pair.Decapsulate(Field("ciphertext"), secret);

        Assert.Equal(Field("shared_secret"), secret);
    }

    [Fact]
    public void Generate_uses_64_seed_bytes_from_the_random_source()
    {
        using var pair = MlKem768KeyPair.Generate(new ScriptedRandomSource(Field("seed_d_z")));

        Assert.Equal(Field("encapsulation_key"), pair.EncapsulationKey.ToArray());
    }
}

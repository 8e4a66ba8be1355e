using BenchmarkDotNet.Attributes;
using Kamune.Crypto;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Kamune.Benchmarks;

/// <summary>ML-KEM-768 (protocol.md "Flow" step 3): libsodium (hot path) against BouncyCastle (test oracle).</summary>
[MemoryDiagnoser]
public class MlKem768Benchmarks
{
    private readonly byte[] _seed = Sizes.Filled(MlKem768KeyPair.SeedSize, 11);
    private readonly byte[] _ciphertext = new byte[MlKem768.CiphertextSize];
    private readonly byte[] _secret = new byte[MlKem768.SharedSecretSize];
    private readonly byte[] _scratchCiphertext = new byte[MlKem768.CiphertextSize];
    private readonly SecureRandom _bcRandom = new();
    private MlKem768KeyPair _pair = null!;
    private byte[] _encapsulationKey = [];
    private MLKemPrivateKeyParameters _bcPrivate = null!;
    private MLKemDecapsulator _bcDecapsulator = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pair = MlKem768KeyPair.FromSeed(_seed);
        _encapsulationKey = _pair.EncapsulationKey.ToArray();
        _bcPrivate = MLKemPrivateKeyParameters.FromSeed(MLKemParameters.ml_kem_768, _seed);
        Expect.That(_bcPrivate.GetPublicKeyEncoded().AsSpan().SequenceEqual(_encapsulationKey), "equal encapsulation keys from one seed");
        _bcDecapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
        _bcDecapsulator.Init(_bcPrivate);
        MlKem768.Encapsulate(_encapsulationKey, SystemRandomSource.Instance, _ciphertext, _secret);
        var bcSecret = new byte[MlKem768.SharedSecretSize];
        _bcDecapsulator.Decapsulate(_ciphertext, 0, _ciphertext.Length, bcSecret, 0, bcSecret.Length);
        Expect.That(bcSecret.AsSpan().SequenceEqual(_secret), "BouncyCastle to decapsulate libsodium's ciphertext to the same secret");
    }

    [GlobalCleanup]
    public void Cleanup() => _pair.Dispose();

    [Benchmark(Description = "KeyGen libsodium")]
    public void KeyGenLibsodium()
    {
        using var pair = MlKem768KeyPair.Generate(SystemRandomSource.Instance);
    }

    [Benchmark(Description = "KeyGen BouncyCastle")]
    public byte[] KeyGenBouncyCastle()
    {
        _bcRandom.NextBytes(_seed);
        return MLKemPrivateKeyParameters.FromSeed(MLKemParameters.ml_kem_768, _seed).GetPublicKeyEncoded();
    }

    [Benchmark(Description = "Encaps libsodium")]
    public void EncapsLibsodium() =>
        MlKem768.Encapsulate(_encapsulationKey, SystemRandomSource.Instance, _scratchCiphertext, _secret);

    [Benchmark(Description = "Encaps BouncyCastle")]
    public void EncapsBouncyCastle()
    {
        var encapsulator = new MLKemEncapsulator(MLKemParameters.ml_kem_768);
        // From the wire bytes, as a responder receives the key (libsodium also parses the key on every call).
        var publicKey = MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, _encapsulationKey);
        encapsulator.Init(new ParametersWithRandom(publicKey, _bcRandom));
        encapsulator.Encapsulate(_scratchCiphertext, 0, _scratchCiphertext.Length, _secret, 0, _secret.Length);
    }

    [Benchmark(Description = "Decaps libsodium")]
    public void DecapsLibsodium() => _pair.Decapsulate(_ciphertext, _secret);

    [Benchmark(Description = "Decaps BouncyCastle")]
    public void DecapsBouncyCastle() =>
        _bcDecapsulator.Decapsulate(_ciphertext, 0, _ciphertext.Length, _secret, 0, _secret.Length);
}

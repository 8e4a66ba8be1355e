using BenchmarkDotNet.Attributes;
using Kamune.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Kems;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Kamune.Benchmarks;

/// <summary>
/// X-Wing (MLKEM768-X25519, protocol.md "Layers" 3): ours (libsodium key pair and decapsulation,
/// encapsulation composed from libsodium ML-KEM, X25519 and SHA3-256) against the same construction
/// composed from BouncyCastle parts (the test oracle).
/// </summary>
[MemoryDiagnoser]
public class XWingBenchmarks
{
    private readonly byte[] _seed = Sizes.Filled(XWingKeyPair.SeedSize, 21);
    private readonly byte[] _ciphertext = new byte[XWing.CiphertextSize];
    private readonly byte[] _scratchCiphertext = new byte[XWing.CiphertextSize];
    private readonly byte[] _secret = new byte[XWing.SharedSecretSize];
    private readonly SecureRandom _bcRandom = new();
    private XWingKeyPair _pair = null!;
    private byte[] _publicKey = [];

    [GlobalSetup]
    public void Setup()
    {
        _pair = XWingKeyPair.FromSeed(_seed);
        _publicKey = _pair.PublicKey.ToArray();
        Expect.That(BouncyCastleXWing.PublicKey(_seed).AsSpan().SequenceEqual(_publicKey), "equal X-Wing public keys from one seed");
        XWing.Encapsulate(_publicKey, SystemRandomSource.Instance, _ciphertext, _secret);
        Expect.That(BouncyCastleXWing.Decapsulate(_seed, _ciphertext).AsSpan().SequenceEqual(_secret),
            "the BouncyCastle composition to decapsulate our ciphertext to the same secret");
    }

    [GlobalCleanup]
    public void Cleanup() => _pair.Dispose();

    [Benchmark(Description = "KeyGen libsodium")]
    public void KeyGenLibsodium()
    {
        using var pair = XWingKeyPair.Generate(SystemRandomSource.Instance);
    }

    [Benchmark(Description = "KeyGen BouncyCastle")]
    public byte[] KeyGenBouncyCastle()
    {
        _bcRandom.NextBytes(_seed);
        return BouncyCastleXWing.PublicKey(_seed);
    }

    [Benchmark(Description = "Encaps ours")]
    public void EncapsOurs() => XWing.Encapsulate(_publicKey, SystemRandomSource.Instance, _scratchCiphertext, _secret);

    [Benchmark(Description = "Encaps BouncyCastle")]
    public byte[] EncapsBouncyCastle() => BouncyCastleXWing.Encapsulate(_publicKey, _bcRandom, _scratchCiphertext);

    [Benchmark(Description = "Decaps libsodium")]
    public void DecapsLibsodium() => _pair.Decapsulate(_ciphertext, _secret);

    [Benchmark(Description = "Decaps BouncyCastle")]
    public byte[] DecapsBouncyCastle() => BouncyCastleXWing.Decapsulate(_seed, _ciphertext);
}

/// <summary>
/// draft-connolly-cfrg-xwing-kem from BouncyCastle parts: SHAKE256 seed expansion, ML-KEM-768, X25519 and
/// the SHA3-256 combiner. Decapsulation re-expands the 32-byte secret key each time, as X-Wing defines it.
/// </summary>
internal static class BouncyCastleXWing
{
    private static readonly byte[] Label = [0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c];

    public static byte[] PublicKey(byte[] seed)
    {
        var (mlKem, x25519) = Expand(seed);
        var publicKey = new byte[XWingKeyPair.PublicKeySize];
        mlKem.GetPublicKeyEncoded().CopyTo(publicKey, 0);
        x25519.GeneratePublicKey().Encode(publicKey, 1184);
        return publicKey;
    }

    public static byte[] Encapsulate(byte[] publicKey, SecureRandom random, byte[] ciphertext)
    {
        var encapsulator = new MLKemEncapsulator(MLKemParameters.ml_kem_768);
        encapsulator.Init(new ParametersWithRandom(MLKemPublicKeyParameters.FromEncoding(MLKemParameters.ml_kem_768, publicKey[..1184]), random));
        var ssM = new byte[32];
        encapsulator.Encapsulate(ciphertext, 0, 1088, ssM, 0, 32);
        var ephemeral = new X25519PrivateKeyParameters(random);
        ephemeral.GeneratePublicKey().Encode(ciphertext, 1088);
        var pkX = new X25519PublicKeyParameters(publicKey, 1184);
        var ssX = new byte[32];
        ephemeral.GenerateSecret(pkX, ssX, 0);
        return Combine(ssM, ssX, ciphertext.AsSpan(1088, 32), publicKey.AsSpan(1184, 32));
    }

    public static byte[] Decapsulate(byte[] seed, byte[] ciphertext)
    {
        var (mlKem, x25519) = Expand(seed);
        var decapsulator = new MLKemDecapsulator(MLKemParameters.ml_kem_768);
        decapsulator.Init(mlKem);
        var ssM = new byte[32];
        decapsulator.Decapsulate(ciphertext, 0, 1088, ssM, 0, 32);
        var ssX = new byte[32];
        x25519.GenerateSecret(new X25519PublicKeyParameters(ciphertext, 1088), ssX, 0);
        var pkX = new byte[32];
        x25519.GeneratePublicKey().Encode(pkX, 0);
        return Combine(ssM, ssX, ciphertext.AsSpan(1088, 32), pkX);
    }

    private static (MLKemPrivateKeyParameters MlKem, X25519PrivateKeyParameters X25519) Expand(byte[] seed)
    {
        var expanded = new byte[96];
        var shake = new ShakeDigest(256);
        shake.BlockUpdate(seed, 0, seed.Length);
        shake.OutputFinal(expanded, 0, expanded.Length);
        return (MLKemPrivateKeyParameters.FromSeed(MLKemParameters.ml_kem_768, expanded[..64]), new X25519PrivateKeyParameters(expanded, 64));
    }

    private static byte[] Combine(byte[] ssM, byte[] ssX, ReadOnlySpan<byte> ctX, ReadOnlySpan<byte> pkX)
    {
        var sha3 = new Sha3Digest(256);
        sha3.BlockUpdate(ssM);
        sha3.BlockUpdate(ssX);
        sha3.BlockUpdate(ctX);
        sha3.BlockUpdate(pkX);
        sha3.BlockUpdate(Label);
        var output = new byte[32];
        sha3.DoFinal(output, 0);
        return output;
    }
}

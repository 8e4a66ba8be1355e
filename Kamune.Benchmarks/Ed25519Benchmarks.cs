using BenchmarkDotNet.Attributes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Kamune.Benchmarks;

/// <summary>
/// Ed25519 over the real signing input of an application message with the given payload
/// ("kamune/transport-sign/v1" || uvarint || Metadata || BytesValue): libsodium (the hot path,
/// <see cref="IdentityKeyPair"/> / <see cref="PublicIdentity"/>) against BouncyCastle (the test oracle).
/// </summary>
[MemoryDiagnoser]
public class Ed25519Benchmarks
{
    private readonly byte[] _signature = new byte[PublicIdentity.SignatureLength];
    private byte[] _message = [];
    private IdentityKeyPair _identity = null!;
    private PublicIdentity _public = null!;
    private Ed25519PrivateKeyParameters _bcPrivate = null!;
    private Ed25519PublicKeyParameters _bcPublic = null!;

    [ParamsSource(nameof(PayloadSizes))]
    public int Payload { get; set; }

    public static IEnumerable<int> PayloadSizes => Sizes.Payloads;

    [GlobalSetup]
    public void Setup()
    {
        var seed = Sizes.Filled(IdentityKeyPair.SeedLength, 7);
        _identity = IdentityKeyPair.FromSeed(seed);
        _public = _identity.PublicIdentity;
        _bcPrivate = new Ed25519PrivateKeyParameters(seed);
        _bcPublic = _bcPrivate.GeneratePublicKey();
        _message = Sizes.SigningInput(Payload);
        _identity.Sign(_message, _signature);
        if (!_bcPublic.Verify(Ed25519.Algorithm.Ed25519, null, _message, 0, _message.Length, _signature, 0))
        {
            throw new InvalidOperationException("Ed25519: expected BouncyCastle to verify the libsodium signature, got a rejection.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _identity.Dispose();

    [Benchmark(Description = "Sign libsodium")]
    public void SignLibsodium() => _identity.Sign(_message, _signature);

    [Benchmark(Description = "Sign BouncyCastle")]
    public void SignBouncyCastle() => _bcPrivate.Sign(Ed25519.Algorithm.Ed25519, null, _message, 0, _message.Length, _signature, 0);

    [Benchmark(Description = "Verify libsodium")]
    public bool VerifyLibsodium() => _public.Verify(_message, _signature);

    [Benchmark(Description = "Verify BouncyCastle")]
    public bool VerifyBouncyCastle() => _bcPublic.Verify(Ed25519.Algorithm.Ed25519, null, _message, 0, _message.Length, _signature, 0);
}

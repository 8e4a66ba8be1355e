using BenchmarkDotNet.Attributes;
using Kamune.Crypto;

namespace Kamune.Benchmarks;

/// <summary>HPKE context setup for both roles (X-Wing + HKDF-SHA512 key schedule, protocol.md "Layers" 3).</summary>
[MemoryDiagnoser]
public class HpkeSetupBenchmarks
{
    private XWingKeyPair _recipient = null!;
    private byte[] _publicKey = [];
    private byte[] _enc = [];

    [GlobalSetup]
    public void Setup()
    {
        _recipient = XWingKeyPair.Generate(SystemRandomSource.Instance);
        _publicKey = _recipient.PublicKey.ToArray();
        Hpke.SetupBaseSender(_publicKey, SystemRandomSource.Instance, out _enc).Dispose();
    }

    [GlobalCleanup]
    public void Cleanup() => _recipient.Dispose();

    [Benchmark(Description = "SetupBaseSender")]
    public void SetupSender()
    {
        using var sender = Hpke.SetupBaseSender(_publicKey, SystemRandomSource.Instance, out _);
    }

    [Benchmark(Description = "SetupBaseRecipient")]
    public void SetupRecipient()
    {
        using var recipient = Hpke.SetupBaseRecipient(_enc, _recipient);
    }
}

/// <summary>
/// HPKE Seal/Open (ChaCha20-Poly1305, platform implementation with one cached object per context) at the
/// sizes the tunnel carries: 512 (Introduce, challenges) and 4096 (Handshake with its 1184-byte key).
/// </summary>
[MemoryDiagnoser]
public class HpkeSealOpenBenchmarks
{
    private HpkeSenderContext _sender = null!;
    private HpkeRecipientContext _recipient = null!;
    private byte[] _plaintext = [];
    private byte[] _ciphertext = [];
    private byte[] _sealed = [];
    private byte[] _opened = [];

    [Params(512, 4096)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var keyPair = XWingKeyPair.Generate(SystemRandomSource.Instance);
        _sender = Hpke.SetupBaseSender(keyPair.PublicKey.Span, SystemRandomSource.Instance, out var enc);
        _recipient = Hpke.SetupBaseRecipient(enc, keyPair);
        _plaintext = Sizes.Filled(Size, 31);
        _ciphertext = new byte[Size + Hpke.Overhead];
        _opened = new byte[Size];
        _sealed = _sender.Seal(_plaintext);
        Expect.That(_recipient.TryOpen(_sealed, _opened, out _) && _opened.AsSpan().SequenceEqual(_plaintext), "the recipient to open the first message");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _recipient.Dispose();
    }

    [Benchmark(Description = "HPKE Seal")]
    public int Seal() => _sender.Seal(_plaintext, _ciphertext);

    [Benchmark(Description = "HPKE Open")]
    public bool Open()
    {
        // Every Open advances the sequence; rewind so the same (first) message opens each time.
        _recipient.State.SetSequenceForTest(0);
        return _recipient.TryOpen(_sealed, _opened, out _);
    }
}

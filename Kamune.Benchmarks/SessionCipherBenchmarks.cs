using BenchmarkDotNet.Attributes;
using Kamune.Protocol;

namespace Kamune.Benchmarks;

/// <summary>
/// <see cref="SessionSealer"/> / <see cref="SessionOpener"/> (protocol.md "Layers" 4) at every padding
/// bucket: the only plaintext sizes an established session ever encrypts.
/// </summary>
[MemoryDiagnoser]
public class SessionCipherBenchmarks
{
    private SessionSealer _sealer = null!;
    private SessionOpener _opener = null!;
    private byte[] _plaintext = [];
    private byte[] _payload = [];
    private byte[] _sealed = [];
    private byte[] _opened = [];

    [ParamsSource(nameof(BucketSizes))]
    public int Size { get; set; }

    public static IEnumerable<int> BucketSizes => Sizes.Buckets;

    [GlobalSetup]
    public void Setup()
    {
        var key = Sizes.Filled(32, 5);
        _sealer = new SessionSealer(key, SystemRandomSource.Instance);
        _opener = new SessionOpener(key);
        _plaintext = Sizes.Filled(Size, 6);
        _payload = new byte[Size + SessionSealer.Overhead];
        _sealed = _sealer.Seal(_plaintext);
        _opened = new byte[Size];
        Expect.That(_opener.TryOpen(_sealed, _opened, out var written) && written == Size && _opened.AsSpan().SequenceEqual(_plaintext),
            "the opener to recover the sealed plaintext");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sealer.Dispose();
        _opener.Dispose();
    }

    [Benchmark(Description = "SessionSealer.Seal")]
    public int Seal() => _sealer.Seal(_plaintext, _payload);

    [Benchmark(Description = "SessionOpener.TryOpen")]
    public bool Open() => _opener.TryOpen(_sealed, _opened, out _);
}

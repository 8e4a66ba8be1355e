using BenchmarkDotNet.Attributes;
using Kamune.Protocol;

namespace Kamune.Benchmarks;

/// <summary>Length framing (protocol.md "Layers" 2) at the smallest and largest session payloads.</summary>
[MemoryDiagnoser]
public class FrameCodecBenchmarks
{
    private readonly FrameDecoder _decoder = new();
    private byte[] _payload = [];
    private byte[] _frame = [];

    [Params(512 + SessionSealer.Overhead, FrameCodec.MaxPayload)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = Sizes.Filled(Size, 61);
        _frame = FrameCodec.Encode(_payload);
    }

    [Benchmark(Description = "FrameCodec.Encode span")]
    public int Encode() => FrameCodec.Encode(_payload, _frame);

    [Benchmark(Description = "FrameDecoder Append+TryReadFrame")]
    public int Decode()
    {
        _decoder.Append(_frame);
        _decoder.TryReadFrame(out var payload);
        return payload.Length;
    }
}

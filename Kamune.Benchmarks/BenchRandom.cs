namespace Kamune.Benchmarks;

/// <summary>
/// A fast reproducible byte stream (System.Random with a seed). Only for benchmarks: it lets one role of
/// the handshake be replayed against recorded peer frames, and it keeps the cost of randomness out of
/// the figures (the system CSPRNG is measured on its own in <see cref="KeyScheduleBenchmarks"/>).
/// </summary>
public sealed class SeededRandom(int seed) : IRandomSource
{
    private readonly Random _random = new(seed);

    public void Fill(Span<byte> destination) => _random.NextBytes(destination);
}

/// <summary>
/// Wraps a source and zeroes every 4-byte draw. The envelope's bucket bump is the only 4-byte draw
/// (protocol.md "Padding"), and 0 maps to "no bump", so each message lands in its natural bucket and a
/// row measures exactly one padded size. The doc adds the expected cost of the bump separately.
/// </summary>
public sealed class NaturalBucketRandom(IRandomSource inner) : IRandomSource
{
    public void Fill(Span<byte> destination)
    {
        inner.Fill(destination);
        if (destination.Length == 4)
        {
            destination.Clear();
        }
    }
}

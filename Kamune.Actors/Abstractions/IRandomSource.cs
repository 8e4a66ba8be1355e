using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kamune.Abstractions;

/// <summary>
/// Every random byte Kamune uses comes through here, so a test can replay a whole session
/// exactly by injecting <see cref="DeterministicRandomSource"/>.
/// </summary>
public interface IRandomSource
{
    void Fill(Span<byte> destination);
}

/// <summary>The operating system's CSPRNG. The only source to use outside tests.</summary>
public sealed class SystemRandomSource : IRandomSource
{
    public static readonly SystemRandomSource Instance = new();

    private SystemRandomSource()
    {
    }

    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}

/// <summary>
/// A reproducible byte stream for tests: block i = SHA-256(seed || uint64be(i)). Not for production
/// use: anyone who knows the seed knows every key.
/// </summary>
public sealed class DeterministicRandomSource : IRandomSource
{
    private readonly byte[] _seed;
    private readonly byte[] _block = new byte[32];
    private ulong _counter;
    private int _available;
    private readonly object _gate = new();

    public DeterministicRandomSource(ReadOnlySpan<byte> seed) => _seed = seed.ToArray();

    public DeterministicRandomSource(ulong seed)
    {
        _seed = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(_seed, seed);
    }

    public void Fill(Span<byte> destination)
    {
        // Actors on different threads may share one source in a test; keep the stream well defined.
        lock (_gate)
        {
            while (!destination.IsEmpty)
            {
                if (_available == 0)
                {
                    NextBlock();
                }

                var take = Math.Min(_available, destination.Length);
                _block.AsSpan(_block.Length - _available, take).CopyTo(destination);
                _available -= take;
                destination = destination[take..];
            }
        }
    }

    private void NextBlock()
    {
        Span<byte> input = stackalloc byte[_seed.Length + 8];
        _seed.CopyTo(input);
        BinaryPrimitives.WriteUInt64BigEndian(input[_seed.Length..], _counter++);
        SHA256.HashData(input, _block);
        _available = _block.Length;
    }
}

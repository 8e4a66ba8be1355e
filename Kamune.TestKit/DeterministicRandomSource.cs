using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kamune.TestKit;

/// <summary>
/// A reproducible byte stream for tests: block i = SHA-256(seed || uint64be(i)). With one per session (and a
/// <see cref="ManualClock"/>), a whole session writes the same bytes on every run. Never for production: anyone who
/// knows the seed knows every key.
/// </summary>
public sealed class DeterministicRandomSource : IRandomSource
{
    private readonly byte[] _seed;
    private readonly byte[] _block = new byte[32];
    private readonly object _gate = new();
    private ulong _counter;
    private int _available;

    /// <summary>A stream seeded with <paramref name="seed"/>'s bytes.</summary>
    public DeterministicRandomSource(ReadOnlySpan<byte> seed) => _seed = seed.ToArray();

    /// <summary>A stream seeded with <paramref name="seed"/> as 8 big-endian bytes.</summary>
    public DeterministicRandomSource(ulong seed)
    {
        _seed = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(_seed, seed);
    }

    /// <summary>32 bytes for <see cref="IdentityKeyPair.FromSeed"/>: a fixed identity per (seed, salt).</summary>
    public static byte[] IdentitySeed(ulong seed, byte salt)
    {
        var bytes = new byte[32];
        new DeterministicRandomSource(seed ^ ((ulong)salt << 56)).Fill(bytes);
        return bytes;
    }

    /// <inheritdoc />
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

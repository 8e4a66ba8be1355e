using Kamune.Abstractions;

namespace Kamune.Tests.Handshake;

/// <summary>Hands out exactly the given bytes, in order, and fails the test if more are asked for.</summary>
internal sealed class ReplayRandomSource(params byte[][] chunks) : IRandomSource
{
    private readonly byte[] _bytes = chunks.SelectMany(c => c).ToArray();
    private int _position;

    public int Remaining => _bytes.Length - _position;

    public void Fill(Span<byte> destination)
    {
        if (destination.Length > Remaining)
        {
            throw new InvalidOperationException($"replay source: expected a request of at most {Remaining} bytes, got {destination.Length}.");
        }

        _bytes.AsSpan(_position, destination.Length).CopyTo(destination);
        _position += destination.Length;
    }
}

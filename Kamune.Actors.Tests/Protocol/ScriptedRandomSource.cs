using Kamune.Abstractions;

namespace Kamune.Tests.Protocol;

/// <summary>Hands out the given bytes in order, then repeats <c>fill</c>: lets a test pick exact draws (zeros = bump 0, zero padding).</summary>
internal sealed class ScriptedRandomSource(byte[] script, byte fill = 0) : IRandomSource
{
    private int _position;

    public static ScriptedRandomSource Zeros() => new([]);

    public void Fill(Span<byte> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = _position < script.Length ? script[_position] : fill;
            _position++;
        }
    }
}

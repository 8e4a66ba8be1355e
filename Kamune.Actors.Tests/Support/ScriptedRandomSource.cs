namespace Kamune.Tests.Support;

/// <summary>
/// Hands out the given bytes in order, so a test can pick every random draw (seeds, nonce prefixes,
/// padding bump). Strict by default: asking for more than was scripted fails the test, which proves
/// how many random bytes a function draws. <see cref="ThenZeros"/> instead repeats zeros afterwards
/// (zeros = padding bump 0 and zero padding bytes, as the Go vectors were made).
/// </summary>
internal sealed class ScriptedRandomSource : IRandomSource
{
    private readonly byte[] _bytes;
    private readonly bool _zerosAfterScript;
    private int _position;

    public ScriptedRandomSource(params byte[][] chunks)
        : this(chunks.SelectMany(c => c).ToArray(), zerosAfterScript: false)
    {
    }

    private ScriptedRandomSource(byte[] bytes, bool zerosAfterScript)
    {
        _bytes = bytes;
        _zerosAfterScript = zerosAfterScript;
    }

    public static ScriptedRandomSource Zeros() => ThenZeros([]);

    public static ScriptedRandomSource ThenZeros(byte[] script) => new(script, zerosAfterScript: true);

    public int Remaining => _bytes.Length - _position;

    public void Fill(Span<byte> destination)
    {
        if (!_zerosAfterScript && destination.Length > Remaining)
        {
            throw new InvalidOperationException($"Scripted randomness: expected a request of at most {Remaining} bytes, got {destination.Length}.");
        }

        for (var i = 0; i < destination.Length; i++, _position++)
        {
            destination[i] = _position < _bytes.Length ? _bytes[_position] : (byte)0;
        }
    }
}

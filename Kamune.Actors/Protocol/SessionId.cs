namespace Kamune.Protocol;

/// <summary>
/// Session identifiers (protocol.md "Flow" step 3): the initiator's 12-character prefix plus the
/// responder's 12-character suffix, drawn from a base32 alphabet. A resumed handshake carries the
/// whole 24-character ID in each SessionKey instead.
/// </summary>
internal static class SessionId
{
    public const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    public const int HalfLength = 12;
    public const int Length = 2 * HalfLength;

    /// <summary>A fresh 12-character half; each character is one random byte mod 32, as Go's enigma.Text.</summary>
    public static string NewHalf(IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<byte> bytes = stackalloc byte[HalfLength];
        random.Fill(bytes);
        Span<char> chars = stackalloc char[HalfLength];
        for (var i = 0; i < chars.Length; i++)
        {
            // 256 is a multiple of 32, so the mod introduces no bias.
            chars[i] = Alphabet[bytes[i] % Alphabet.Length];
        }

        return new string(chars);
    }

    /// <summary>
    /// Checks a SessionKey received from the peer: 12 characters of <see cref="Alphabet"/>, or 24 on a
    /// resumed handshake. Anything else is <see cref="KamuneError.InvalidHandshake"/>.
    /// </summary>
    public static void ValidateHalf(string? half, bool resumed = false)
    {
        var expected = resumed ? Length : HalfLength;
        if (half is null || half.Length != expected)
        {
            throw new KamuneProtocolException(
                KamuneError.InvalidHandshake,
                $"session key: expected {expected} characters, got {(half is null ? "none" : half.Length.ToString())}.");
        }

        for (var i = 0; i < half.Length; i++)
        {
            var c = half[i];
            if (c is not (>= 'A' and <= 'Z') and not (>= '2' and <= '7'))
            {
                throw new KamuneProtocolException(
                    KamuneError.InvalidHandshake,
                    $"session key: expected only characters of {Alphabet}, got U+{(int)c:X4} at index {i}.");
            }
        }
    }
}

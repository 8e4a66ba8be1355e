using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Kamune;

/// <summary>
/// Human-comparable forms of an identity: everything derives from SHA-256 of the PKIX DER public key
/// (protocol.md "Messages", Introduce.Name), the same hash the Go reference uses for its default name.
/// Two fingerprints are equal when their hashes are (compared in constant time); compare fingerprints with each
/// other, never one's text with another's.
/// </summary>
public sealed class Fingerprint : IEquatable<Fingerprint>
{
    /// <summary>How many emojis <see cref="Emoji"/> shows: one per 4-byte word of the hash.</summary>
    public const int EmojiCount = 8;

    /// <summary>Length of the hash every form shows.</summary>
    private const int HashLength = 32;

    private readonly byte[] _sha256;

    // Every text form is derived from the hash alone, so a parsed fingerprint shows exactly what its key's own does.
    private Fingerprint(byte[] sha256)
    {
        _sha256 = sha256;
        Hex = Convert.ToHexStringLower(_sha256);
        HexColon = ColonHex(_sha256);
        Base64 = System.Buffers.Text.Base64Url.EncodeToString(_sha256);
        EmojiSequence = EmojiOf(_sha256);
        Emoji = string.Join(' ', EmojiSequence);
    }

    /// <summary>The fingerprint of a PKIX DER public key.</summary>
    internal static Fingerprint OfPkix(ReadOnlySpan<byte> pkix) => new(SHA256.HashData(pkix));

    /// <summary>The fingerprint whose hash is <paramref name="sha256"/> (32 bytes), as <see cref="Parse"/> reads it from text.</summary>
    internal static Fingerprint FromSha256(ReadOnlySpan<byte> sha256) => sha256.Length == HashLength
        ? new(sha256.ToArray())
        : throw new ArgumentException($"Fingerprint: expected a {HashLength}-byte SHA-256 hash, got {sha256.Length} bytes", nameof(sha256));

    /// <summary>SHA-256 of the PKIX DER public key (32 bytes).</summary>
    public ReadOnlyMemory<byte> Sha256 => _sha256;

    /// <summary>Lowercase hex of the hash, 64 characters.</summary>
    public string Hex { get; }

    /// <summary>Uppercase, colon-separated hex of the hash ("AB:CD:..."), the layout the Go tools print.</summary>
    public string HexColon { get; }

    /// <summary>Base64url without padding of the hash; equals the default Introduce.Name (Go fingerprint.Sum).</summary>
    public string Base64 { get; }

    /// <summary>
    /// <see cref="EmojiCount"/> emojis separated by spaces. Emoji i is table[uint32be(hash[4i..4i+4]) mod 96], with the
    /// same 96-entry table as the Go reference's fingerprint.Emoji, so a .NET user and a Go user read the same
    /// symbols to each other when comparing keys by eye.
    /// </summary>
    public string Emoji { get; }

    /// <summary>The emojis of <see cref="Emoji"/> one by one.</summary>
    public IReadOnlyList<string> EmojiSequence { get; }

    /// <summary><see cref="Base64"/>: the shortest form, and the default Introduce.Name.</summary>
    public override string ToString() => Base64;

    /// <summary>True when <paramref name="other"/> has the same hash, compared in constant time.</summary>
    public bool Equals(Fingerprint? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(_sha256, other._sha256);

    /// <summary>True only for a <see cref="Fingerprint"/> with the same hash; never for its text.</summary>
    public override bool Equals(object? obj) => obj is Fingerprint other && Equals(other);

    /// <summary>
    /// Not a comparison: a fingerprint never equals a string, so without this overload <c>fingerprint.Equals("...")</c>
    /// would bind to <see cref="Equals(object?)"/> and always be false. It is a compile error instead.
    /// </summary>
    [Obsolete("A Fingerprint never equals a string: compare Fingerprint with Fingerprint, or parse the text with Fingerprint.Parse", error: true)]
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public bool Equals(string? text) => false;

    /// <summary>The hash's first 4 bytes: already uniform, so nothing more is computed.</summary>
    public override int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(_sha256);

    /// <summary>True when both are null or both have the same hash (<see cref="Equals(Fingerprint?)"/>).</summary>
    public static bool operator ==(Fingerprint? left, Fingerprint? right) => left is null ? right is null : left.Equals(right);

    /// <summary>The negation of <c>==</c>.</summary>
    public static bool operator !=(Fingerprint? left, Fingerprint? right) => !(left == right);

    /// <summary>
    /// The fingerprint a text shows: <see cref="Base64"/> (43 base64url characters, no padding), <see cref="Hex"/> (64
    /// hex digits, any case) or <see cref="HexColon"/> (32 colon-separated hex pairs, any case); surrounding white
    /// space is ignored. Throws <see cref="FormatException"/> saying which forms were expected and what was found.
    /// </summary>
    public static Fingerprint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // The text itself stays out of the message: a secret key pasted by mistake would end up in a log.
        return TryParse(text, out var fingerprint)
            ? fingerprint
            : throw new FormatException(
                $"Fingerprint: expected 43 base64url characters, 64 hex digits or 32 colon-separated hex pairs, got {text.Trim().Length} characters that are none of them");
    }

    /// <summary>Like <see cref="Parse"/>, false (and null) instead of an exception for text in none of the forms.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Fingerprint? fingerprint)
    {
        fingerprint = text is null ? null : HashOf(text.AsSpan().Trim()) is { } hash ? FromSha256(hash) : null;
        return fingerprint is not null;
    }

    // Exact lengths first, so no form can be mistaken for another: 43, 64 and 95 characters.
    private static byte[]? HashOf(ReadOnlySpan<char> text)
    {
        var hash = new byte[HashLength];
        switch (text.Length)
        {
            case 43:
                return System.Buffers.Text.Base64Url.IsValid(text, out var decoded) && decoded == HashLength
                       && System.Buffers.Text.Base64Url.TryDecodeFromChars(text, hash, out var written) && written == HashLength
                    ? hash
                    : null;
            case HashLength * 2:
                return Convert.FromHexString(text, hash, out _, out var hexWritten) == System.Buffers.OperationStatus.Done
                       && hexWritten == HashLength
                    ? hash
                    : null;
            case HashLength * 3 - 1:
                for (var i = 0; i < HashLength; i++)
                {
                    if ((i > 0 && text[i * 3 - 1] != ':')
                        || Convert.FromHexString(text.Slice(i * 3, 2), hash.AsSpan(i, 1), out _, out _) != System.Buffers.OperationStatus.Done)
                    {
                        return null;
                    }
                }

                return hash;
            default:
                return null;
        }
    }

    /// <summary>Whether <paramref name="textElement"/> is one of the emoji table's symbols (PeerName refuses emoji lines that are not the key's own).</summary>
    internal static bool IsFingerprintEmoji(string textElement) => EmojiSet.Contains(textElement);

    private static string ColonHex(ReadOnlySpan<byte> bytes)
    {
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (builder.Length > 0)
            {
                builder.Append(':');
            }

            builder.Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private static string[] EmojiOf(ReadOnlySpan<byte> hash)
    {
        var result = new string[EmojiCount];
        for (var i = 0; i < EmojiCount; i++)
        {
            var word = BinaryPrimitives.ReadUInt32BigEndian(hash.Slice(i * 4, 4));
            result[i] = EmojiTable[(int)(word % (uint)EmojiTable.Length)];
        }

        return result;
    }

    // Order matters: it is the Go reference's table (pkg/fingerprint), entries with U+FE0F kept as-is.
    private static readonly string[] EmojiTable =
    [
        "😎", "👻", "👍", "👑", "🎃", "🎯", "🧬", "🧨", "🐶", "🐱", "🦁", "🐹",
        "🐰", "🦊", "🐻", "🐼", "🌸", "🥁", "🪷", "🌹", "🪩", "🍁", "🌳", "🌵",
        "🍎", "🍌", "🍇", "🍓", "🥝", "🍕", "🍔", "🍟", "☕️", "🍦", "🥕", "☀️",
        "🌙", "❄️", "☁️", "🧂", "💡", "🎹", "💎", "📷", "🏀", "🎮", "🎲", "🎩",
        "❤️", "🎁", "⏰", "🧩", "🧲", "🔑", "🚗️", "🚀", "✨", "🔥", "🌈", "🎉",
        "🎶", "🔒", "📌", "✅", "🤖", "🪐", "🦴", "🍩", "🎪", "🔮", "⛱️", "👽",
        "🦄", "🐧", "🦋", "🐙", "🦈", "🦅", "🦀", "🪲", "🌻", "🍀", "🌊", "⛰️",
        "🍄", "🌋", "🌪️", "🥑", "🎸", "🔭", "🧭", "🎨", "⚡", "🗝️", "🧿", "🛡️",
    ];

    private static readonly System.Collections.Frozen.FrozenSet<string> EmojiSet =
        System.Collections.Frozen.FrozenSet.ToFrozenSet(EmojiTable, StringComparer.Ordinal);
}

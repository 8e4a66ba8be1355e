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

    private readonly byte[] _sha256;

    internal Fingerprint(ReadOnlySpan<byte> pkix)
    {
        _sha256 = SHA256.HashData(pkix);
        Hex = Convert.ToHexStringLower(_sha256);
        HexColon = ColonHex(_sha256);
        Base64 = System.Buffers.Text.Base64Url.EncodeToString(_sha256);
        EmojiSequence = EmojiOf(_sha256);
        Emoji = string.Join(' ', EmojiSequence);
    }

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

    public override string ToString() => Base64;

    public bool Equals(Fingerprint? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(_sha256, other._sha256);

    public override bool Equals(object? obj) => obj is Fingerprint other && Equals(other);

    public override int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(_sha256);

    public static bool operator ==(Fingerprint? left, Fingerprint? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Fingerprint? left, Fingerprint? right) => !(left == right);

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

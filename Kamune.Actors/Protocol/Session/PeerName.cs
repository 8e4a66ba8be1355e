using System.Globalization;
using System.Text;

namespace Kamune;

/// <summary>
/// The rules an announced Introduce.Name must meet before anyone shows it or pins it (docs/security.md, "Display
/// names"). A name is what a person reads to decide who they talk to, so it must not be able to pass for something
/// else: another key's fingerprint (exactly what a victim reads out from <c>identity show</c>), or a familiar name
/// with invisible or reordering characters in it. Pure and allocation-light, so every embedder gets the same rules
/// from <see cref="Kamune.Protocol.Session.IntroductionPhase.ReadIntroduce"/>; every refusal is <see cref="KamuneError.InvalidName"/>.
/// </summary>
internal static class PeerName
{
    /// <summary>Names longer than this (in UTF-16 units, after normalisation) are refused: they reach logs and UIs.</summary>
    public const int MaxLength = 256;

    /// <summary>
    /// Hex digits in a row (colons between pairs allowed) from which text reads as a fingerprint: the console's
    /// fingerprint label is 8 digits, so a name must not carry another key's label either.
    /// </summary>
    public const int HexShapeDigits = 8;

    /// <summary>Fingerprint emojis in a row (spaces between allowed) from which a name reads as an emoji line.</summary>
    public const int EmojiShapeCount = 3;

    private const int Base64Length = 43;

    /// <summary>
    /// The name in Unicode normalisation form C, or <see cref="KamuneProtocolException"/> (InvalidName) saying what
    /// was expected and what was found. <paramref name="identity"/> is the key that signed the Introduce: a name may
    /// show that key's own fingerprint (the Go default name is its base64 form), never another's.
    /// </summary>
    public static string Validate(string name, PublicIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(identity);
        string normalized;
        try
        {
            normalized = name.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            throw Refuse("valid Unicode text", "unpaired surrogates");
        }

        // Under InvariantGlobalization (this repository's build) .NET has no normalisation data and returns the text
        // unchanged; "Jose\u0301" would then pass for "Jos\u00e9". Fail closed: no combining marks where they cannot
        // be composed. Text typed on a keyboard is composed already, so this refuses little in practice.
        if (!CanNormalize && normalized.FirstOrDefault(IsCombiningMark) is var mark and not '\0')
        {
            throw Refuse("no combining marks (this runtime cannot normalise text: InvariantGlobalization)", $"U+{(int)mark:X4}");
        }

        if (normalized.Length == 0 || normalized.Length > MaxLength)
        {
            throw Refuse($"1 to {MaxLength} characters", $"{normalized.Length}");
        }

        for (var i = 0; i < normalized.Length; i++)
        {
            if (Invisible(normalized, i) is { } what)
            {
                throw Refuse("visible characters only", $"{what} U+{(int)normalized[i]:X4} at position {i}");
            }
        }

        if (char.IsWhiteSpace(normalized[0]) || char.IsWhiteSpace(normalized[^1]))
        {
            throw Refuse("no white space at either end", "leading or trailing white space");
        }

        var fingerprint = identity.Fingerprint;

        // The key's own base64 (the default name) may hold a run of hex-looking characters by chance: that run is
        // the key's own fingerprint, not another's, so it is taken out before the hex shape is looked for.
        var withoutOwnBase64 = normalized.Replace(fingerprint.Base64, " ", StringComparison.Ordinal);
        if (ForeignHex(withoutOwnBase64, fingerprint.Hex) is { } hex)
        {
            throw Refuse("no fingerprint but the peer's own", $"\"{hex}\", hex that is not this key's fingerprint");
        }

        if (ForeignBase64(normalized, fingerprint.Base64) is { } base64)
        {
            throw Refuse("no fingerprint but the peer's own", $"\"{base64}\", base64 that is not this key's fingerprint");
        }

        if (ForeignEmoji(normalized, fingerprint.EmojiSequence))
        {
            throw Refuse("no fingerprint but the peer's own", "an emoji line that is not this key's");
        }

        return normalized;
    }

    /// <summary>Whether this runtime composes text to NFC; false under InvariantGlobalization, where it is a no-op.</summary>
    public static bool CanNormalize { get; } = "e\u0301".Normalize(NormalizationForm.FormC).Length == 1;

    // Variation selectors (emoji presentation, U+FE0F) and the keycap mark never compose, so NFC leaves them alone.
    private static bool IsCombiningMark(char c) => c is not (>= '\ufe00' and <= '\ufe0f') and not '\u20e3'
        && CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>
    /// Why the UTF-16 unit at <paramref name="index"/> may not appear in a name, or null: control and format
    /// characters (bidi overrides and isolates, zero-width space and joiners, BOM: category Cf), line and paragraph
    /// separators, white space other than a plain space, and unpaired surrogates.
    /// </summary>
    public static string? Invisible(string text, int index)
    {
        var c = text[index];
        return CharUnicodeInfo.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.Control => "a control character",
            UnicodeCategory.Format => "a format character",
            UnicodeCategory.LineSeparator => "a line separator",
            UnicodeCategory.ParagraphSeparator => "a paragraph separator",
            UnicodeCategory.SpaceSeparator when c != ' ' => "white space other than a space",
            UnicodeCategory.Surrogate when !char.IsSurrogatePair(text, index) && !(index > 0 && char.IsSurrogatePair(text, index - 1)) => "an unpaired surrogate",
            _ => null,
        };
    }

    // A run of HexShapeDigits or more hex digits (single colons or dashes between them allowed, as HexColon prints
    // them) reads as a fingerprint; it is allowed only as the start of this key's own hex.
    private static string? ForeignHex(string name, string ownHex)
    {
        var i = 0;
        while (i < name.Length)
        {
            if (!Uri.IsHexDigit(name[i]))
            {
                i++;
                continue;
            }

            var start = i;
            var digits = new StringBuilder();
            while (i < name.Length && (Uri.IsHexDigit(name[i]) || (IsSeparator(name[i]) && i + 1 < name.Length && Uri.IsHexDigit(name[i + 1]) && digits.Length > 0)))
            {
                if (Uri.IsHexDigit(name[i]))
                {
                    digits.Append(char.ToLowerInvariant(name[i]));
                }

                i++;
            }

            if (digits.Length >= HexShapeDigits && !ownHex.StartsWith(digits.ToString(), StringComparison.Ordinal))
            {
                return name[start..i];
            }
        }

        return null;
    }

    // Not spaces: "dead beef cafe" is a plausible name, while "DE:AD:BE:EF" is how fingerprints are printed.
    private static bool IsSeparator(char c) => c is ':' or '-';

    // A run of 43 or more base64url characters has the length of a fingerprint's base64 form (the default name).
    private static string? ForeignBase64(string name, string ownBase64)
    {
        var i = 0;
        while (i < name.Length)
        {
            var start = i;
            while (i < name.Length && IsBase64Url(name[i]))
            {
                i++;
            }

            // A run of hex digits only is the hex rule's business (this key's own hex is long enough to be caught here).
            var run = name[start..i];
            if (run.Length >= Base64Length && !run.All(Uri.IsHexDigit) && !string.Equals(run, ownBase64, StringComparison.Ordinal))
            {
                return run;
            }

            i = Math.Max(i, start + 1);
        }

        return null;
    }

    private static bool IsBase64Url(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+' or '/' or '=';

    // Fingerprint emojis in a row (spaces skipped) read as an emoji line unless they are this key's own, from the start.
    private static bool ForeignEmoji(string name, IReadOnlyList<string> own)
    {
        var run = new List<string>();
        var elements = StringInfo.GetTextElementEnumerator(name);
        while (true)
        {
            var more = elements.MoveNext();
            var element = more ? elements.GetTextElement() : null;
            if (element == " ")
            {
                continue;
            }

            if (element is not null && Fingerprint.IsFingerprintEmoji(element))
            {
                run.Add(element);
                continue;
            }

            if (run.Count >= EmojiShapeCount && !IsOwnPrefix(run, own))
            {
                return true;
            }

            run.Clear();
            if (!more)
            {
                return false;
            }
        }
    }

    private static bool IsOwnPrefix(List<string> run, IReadOnlyList<string> own) =>
        run.Count <= own.Count && run.Select((e, i) => string.Equals(e, own[i], StringComparison.Ordinal)).All(same => same);

    private static KamuneProtocolException Refuse(string expected, string got) =>
        new(KamuneError.InvalidName, $"Introduce.Name: expected {expected}, got {got}.");
}

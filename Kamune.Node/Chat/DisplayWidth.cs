using System.Globalization;
using System.Text;
using Wcwidth;

namespace Kamune.Node.Chat;

/// <summary>
/// How many terminal cells text takes, per grapheme cluster (what a terminal draws as one symbol), so the console
/// can line up columns and wrap lines itself. Per code point wcwidth (the Wcwidth package) says; the cluster rules
/// on top are the ones wcwidth alone gets wrong: an emoji presentation selector (U+FE0F) makes a symbol two cells
/// wide even where its base is one (☀ U+2600 is narrow, ☀️ is drawn in two cells: nine of the fingerprint emojis
/// are such pairs), a text presentation selector (U+FE0E) one cell, a flag (two regional indicators) two.
/// </summary>
internal static class DisplayWidth
{
    private const char EmojiPresentation = '\ufe0f';
    private const char TextPresentation = '\ufe0e';

    public static int Of(string text)
    {
        var width = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            width += OfCluster(elements.GetTextElement());
        }

        return width;
    }

    /// <summary>Cells of one grapheme cluster; a control character (already escaped by the console) counts as none.</summary>
    public static int OfCluster(string cluster)
    {
        if (cluster.Length == 0)
        {
            return 0;
        }

        if (cluster.Contains(EmojiPresentation, StringComparison.Ordinal))
        {
            return 2;
        }

        Rune.DecodeFromUtf16(cluster, out var first, out var used);
        if (cluster.Contains(TextPresentation, StringComparison.Ordinal))
        {
            return 1;
        }

        if (first.Value is >= 0x1F1E6 and <= 0x1F1FF && cluster.Length > used)
        {
            return 2;
        }

        return Math.Max(0, UnicodeCalculator.GetWidth(first.Value));
    }

    /// <summary><paramref name="text"/> padded with spaces to <paramref name="cells"/> cells, or cut (with "…") to fit them.</summary>
    public static string Fit(string text, int cells)
    {
        var width = Of(text);
        if (width <= cells)
        {
            return text + new string(' ', cells - width);
        }

        var builder = new StringBuilder();
        var used = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var cluster = elements.GetTextElement();
            var next = OfCluster(cluster);
            if (used + next > cells - 1)
            {
                break;
            }

            builder.Append(cluster);
            used += next;
        }

        return builder.Append('…').Append(' ', cells - 1 - used).ToString();
    }

    /// <summary>
    /// The emoji line with every symbol in a column two cells wide and one space between, so the eight symbols stand
    /// at the same places for every key (and under each other when two lines are compared).
    /// </summary>
    public static string EmojiColumns(Fingerprint fingerprint) =>
        string.Join(' ', fingerprint.EmojiSequence.Select(e => Fit(e, 2))).TrimEnd();
}

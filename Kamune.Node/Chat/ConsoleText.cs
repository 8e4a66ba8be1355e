using System.Globalization;
using System.Text;
using Kamune.Node.Json;

namespace Kamune.Node.Chat;

/// <summary>
/// Peer-supplied text as the console shows it (docs/security.md, "Display names"). A peer must not be able to move
/// the reader's cursor, reorder what they read, hide characters, start a line of its own, or pad a message until
/// its end looks like another peer's line; every line it causes starts with its session number, name and
/// fingerprint label.
/// </summary>
internal static class ConsoleText
{
    /// <summary>White space in a row from which it is shown as a count: padding is how a message fakes a new line.</summary>
    public const int BlankRun = 8;

    /// <summary>The shortest room a wrapped line leaves for text, however narrow the terminal.</summary>
    private const int MinTextCells = 16;

    /// <summary>
    /// Control and format characters (bidi overrides and isolates, zero-width characters: Unicode Cc and Cf), line
    /// and paragraph separators and unpaired surrogates become <c>\uXXXX</c>, the rules <see cref="PeerName"/>
    /// applies to names; runs of <see cref="BlankRun"/> or more spaces become "⟨N spaces⟩".
    /// </summary>
    public static string Clean(string text)
    {
        StringBuilder? builder = null;
        var blanks = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var escape = PeerName.Invisible(text, i) is not null && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.SpaceSeparator;
            var blank = !escape && char.IsWhiteSpace(c);
            if (builder is null && (escape || (blank && blanks + 1 >= BlankRun)))
            {
                builder = new StringBuilder(text.Length + 16).Append(text, 0, i - blanks);
            }

            if (blank)
            {
                blanks++;
                continue;
            }

            Flush();
            if (builder is not null)
            {
                builder.Append(escape ? $"\\u{(int)c:x4}" : c);
            }
        }

        Flush();
        return builder?.ToString() ?? text;

        void Flush()
        {
            if (builder is not null && blanks > 0)
            {
                builder.Append(blanks >= BlankRun ? $"⟨{blanks} spaces⟩" : new string(' ', blanks));
            }

            blanks = 0;
        }
    }

    /// <summary>The first four bytes of the fingerprint as <c>identity show</c> prints them: the short label of a key.</summary>
    public static string ShortFingerprint(PublicIdentity identity) => identity.Fingerprint.HexColon[..11];

    /// <summary>A peer's announced name (or "unnamed" for the default, its fingerprint), cleaned.</summary>
    public static string NameOf(PeerInfo peer) =>
        string.Equals(peer.Name, peer.Identity.DefaultName, StringComparison.Ordinal) ? "unnamed" : Clean(peer.Name);

    /// <summary>How the console names a peer everywhere: its name and, always beside it, its fingerprint label.</summary>
    public static string Label(PeerInfo peer) => $"{NameOf(peer)} ({ShortFingerprint(peer.Identity)})";

    /// <summary>
    /// <paramref name="text"/> cut into lines of at most <paramref name="columns"/> cells, the first after
    /// <paramref name="prefix"/> and every further one after <paramref name="continuation"/>, so the terminal never
    /// wraps a line itself and no line starts with the peer's own text.
    /// </summary>
    public static IEnumerable<string> Wrap(string prefix, string continuation, string text, int columns)
    {
        var room = Math.Max(MinTextCells, columns - Math.Max(DisplayWidth.Of(prefix), DisplayWidth.Of(continuation)));
        var line = new StringBuilder(prefix);
        var used = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            var cluster = elements.GetTextElement();
            var width = DisplayWidth.OfCluster(cluster);
            if (used > 0 && used + width > room)
            {
                yield return line.ToString();
                line.Clear().Append(continuation);
                used = 0;
            }

            line.Append(cluster);
            used += width;
        }

        yield return line.ToString();
    }
}

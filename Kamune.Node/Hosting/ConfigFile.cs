using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Kamune.Node.Cli;

namespace Kamune.Node.Hosting;

/// <summary>
/// Reads a --config file. Akka's HOCON parser accepts some broken files silently (an unclosed brace, an unclosed
/// string) and fails on others with a NullReferenceException (<c>name = = "x"</c>, an include without a resolver), so
/// the file's structure is checked here first, and includes are resolved relative to the including file and
/// checked the same way. Every error is a usage error that names the file and the line, as a compiler would.
/// </summary>
internal static partial class ConfigFile
{
    /// <summary>Parses <paramref name="path"/>, its includes with it.</summary>
    public static Config Load(string path) => ConfigurationFactory.ParseString(Read(path, new HashSet<string>()), Includer(path));

    private static string Read(string path, HashSet<string> reading)
    {
        var full = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeException($"{path}: cannot read: {e.Message}", ExitCodes.Usage, e);
        }

        CheckStructure(path, text);
        var directory = Path.GetDirectoryName(full)!;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (IncludeLine().Match(lines[i]) is not { Success: true } include)
            {
                continue;
            }

            if (include.Groups["kind"].Value is "classpath" or "url")
            {
                throw Error(path, i + 1, $"include {include.Groups["kind"].Value}(...): expected a file include (include \"FILE\")");
            }

            var target = Path.Combine(directory, include.Groups["file"].Value);
            if (!File.Exists(target))
            {
                throw Error(path, i + 1, $"include \"{include.Groups["file"].Value}\": expected a file, got none at {Path.GetFullPath(target)}");
            }

            if (!reading.Add(Path.GetFullPath(target)))
            {
                throw Error(path, i + 1, $"include \"{include.Groups["file"].Value}\": expected no include cycle, got one");
            }

            // Checked here, so the parser's own pass over it (through the includer) finds nothing wrong.
            Read(target, reading);
        }

        return text;
    }

    // The parser asks for an included file by the name written in the include; resolved as Read checked it (Read
    // refused cycles and missing files before the parser runs).
    private static Func<string, HoconRoot> Includer(string including) => name =>
    {
        var target = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(including))!, name);
        return Parser.Parse(File.ReadAllText(target), Includer(target));
    };

    /// <summary>
    /// Brackets balanced, strings closed, and a value after each separator: the mistakes the parser does not name.
    /// Comments (#, //) and strings are skipped; substitutions (${...}) count as values.
    /// </summary>
    internal static void CheckStructure(string path, string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        char? separator = null;
        var separatorLine = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                continue;
            }

            if (char.IsWhiteSpace(c) || c == ',')
            {
                continue;
            }

            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c is '=' or ':' || (c == '+' && i + 1 < text.Length && text[i + 1] == '='))
            {
                if (separator is { } previous)
                {
                    throw Error(path, line, $"expected a value after \"{previous}\", got \"{c}\"");
                }

                separator = c;
                separatorLine = line;
                i += c == '+' ? 1 : 0;
                continue;
            }

            if (c is '}' or ']' && separator is { } dangling)
            {
                throw Error(path, separatorLine, $"expected a value after \"{dangling}\", got \"{c}\"");
            }

            separator = null;
            switch (c)
            {
                case '{' or '[':
                    open.Push((c, line));
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0)
                    {
                        throw Error(path, line, $"expected nothing to close, got \"{c}\"");
                    }

                    var (bracket, openedAt) = open.Pop();
                    if (bracket != expected)
                    {
                        throw Error(path, line, $"expected \"{Closing(bracket)}\" to close the \"{bracket}\" of line {openedAt}, got \"{c}\"");
                    }

                    break;
                case '"':
                    i = SkipString(path, text, i, ref line);
                    break;
                case '$' when i + 1 < text.Length && text[i + 1] == '{':
                    var end = text.IndexOf('}', i);
                    var newline = text.IndexOf('\n', i);
                    if (end < 0 || (newline >= 0 && newline < end))
                    {
                        throw Error(path, line, "expected \"}\" to close the substitution \"${\" on this line");
                    }

                    i = end;
                    break;
            }
        }

        if (separator is { } last)
        {
            throw Error(path, separatorLine, $"expected a value after \"{last}\", got the end of the file");
        }

        if (open.Count > 0)
        {
            var (bracket, openedAt) = open.Pop();
            throw Error(path, openedAt, $"expected \"{Closing(bracket)}\" to close the \"{bracket}\" of this line, got the end of the file");
        }
    }

    // Returns the index of the closing quote of the string that starts at start.
    private static int SkipString(string path, string text, int start, ref int line)
    {
        var startLine = line;
        if (string.CompareOrdinal(text, start, "\"\"\"", 0, 3) == 0)
        {
            var close = text.IndexOf("\"\"\"", start + 3, StringComparison.Ordinal);
            if (close < 0)
            {
                throw Error(path, startLine, "expected \"\"\" to close the triple-quoted string of this line, got the end of the file");
            }

            line += text.AsSpan(start, close - start).Count('\n');
            return close + 2;
        }

        for (var i = start + 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\':
                    i++;
                    break;
                case '"':
                    return i;
                case '\n':
                    throw Error(path, startLine, "expected a closing \" on the line its string starts, got the end of the line");
            }
        }

        throw Error(path, startLine, "expected a closing \" on the line its string starts, got the end of the file");
    }

    /// <summary>
    /// The line of <paramref name="path"/> that sets <paramref name="key"/> (a dotted path), for an error about its
    /// value: the last line that writes the whole path, else the last that writes its last segment as a key (nested
    /// blocks). Null when the file does not write it (it came from an include or the defaults).
    /// </summary>
    public static int? LineOf(string path, string key)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var segment = key[(key.LastIndexOf('.') + 1)..];
        int? bySegment = null;
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var text = lines[i].Split('#')[0];
            if (Writes(text, key))
            {
                return i + 1;
            }

            bySegment ??= Writes(text, segment) ? i + 1 : null;
        }

        return bySegment;
    }

    // Whether a line writes name as a key: at the start or after "{", ".", "," or a space, followed by =, :, += or {.
    private static bool Writes(string line, string name) =>
        Regex.IsMatch(line, $@"(^|[\s{{.,]){Regex.Escape(name)}\s*(=|:|\+=|\{{)");

    private static char Closing(char bracket) => bracket == '{' ? '}' : ']';

    private static NodeException Error(string path, int line, string problem) => new($"{path}:{line}: {problem}", ExitCodes.Usage);

    [GeneratedRegex("""^\s*include\s+(?:required\(\s*)?(?:(?<kind>file|classpath|url)\(\s*)?"(?<file>[^"]*)"|^\s*include\s+(?:required\(\s*)?(?<kind>classpath|url)\(""")]
    private static partial Regex IncludeLine();
}

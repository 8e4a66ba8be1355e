using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Kamune.Actors.Configuration;

/// <summary>
/// Checks a configuration against the embedded reference that defines its keys: each value has the kind of its
/// default (a duration where the default is one, an integer where it is one), and, for a node's own file, each key
/// is one the reference knows. The kinds and the keys come from the reference files themselves, so a setting added
/// there is checked without a list to keep in step. Errors name the key, what was expected and what was found.
/// </summary>
internal static partial class ConfigValues
{
    /// <summary>Throws <see cref="ConfigurationException"/> for the first value under <paramref name="section"/> not of its default's kind.</summary>
    public static void CheckKinds(Config config, string section, Config reference)
    {
        foreach (var (path, defaultValue) in Leaves(reference, section))
        {
            if (!config.HasPath(path) || config.GetValue(path) is not { } value || value.IsObject())
            {
                continue;
            }

            var found = value.IsArray() ? "a list" : value.IsString() ? $"\"{value.GetString()}\"" : "no value";
            var expected = Expected(config, path, defaultValue, value);
            if (expected is not null)
            {
                throw new ConfigurationException($"{path}: expected {expected}, got {found}");
            }
        }
    }

    /// <summary>
    /// Keys under <paramref name="section"/> of <paramref name="config"/> that <paramref name="known"/> does not
    /// define, each with the closest known key.
    /// </summary>
    public static IReadOnlyList<(string Key, string Closest)> UnknownKeys(Config config, string section, Config known)
    {
        var knownKeys = Leaves(known, section).Select(l => l.Path).ToArray();
        return Leaves(config, section)
            .Where(l => !known.HasPath(l.Path) || known.GetValue(l.Path).IsObject() != l.Value.IsObject())
            .Select(l => (l.Path, knownKeys.OrderBy(k => Distance(k, l.Path)).ThenBy(k => k, StringComparer.Ordinal).FirstOrDefault() ?? section))
            .ToArray();
    }

    // What the value should have been, or null when it is of its default's kind.
    private static string? Expected(Config config, string path, HoconValue defaultValue, HoconValue value)
    {
        if (defaultValue.IsArray())
        {
            return value.IsArray() ? null : "a list";
        }

        // A default that is no single value (an empty list reads as none) gives no kind to check against.
        if (defaultValue.GetString() is not { } text)
        {
            return null;
        }

        var (expected, valid) = text switch
        {
            // kamune.idle-timeout may also be switched off (KamuneSettings reads "off" or 0 as no idle timeout).
            _ when IsDuration(text) && path.EndsWith("idle-timeout", StringComparison.Ordinal) => ($"off or a duration (for example {text})",
                () => value.GetString() is "off" or "false" || Parses(() => config.GetTimeSpan(path))),
            _ when IsDuration(text) => ($"a duration (for example {text})", () => Parses(() => config.GetTimeSpan(path))),
            // Akka's convention for an optional duration: "off" (or false) or a duration.
            "off" => ("off or a duration (for example 30s)",
                () => value.GetString() is "off" or "false" || Parses(() => config.GetTimeSpan(path))),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) => ("an integer",
                () => long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)),
            "true" or "false" or "on" or "yes" or "no" => ("true or false", () => Parses(() => config.GetBoolean(path))),
            _ => ("a single value", (Func<bool>)(() => true)),
        };

        return value.IsString() && valid() ? null : expected;
    }

    private static bool Parses(Func<object> read)
    {
        try
        {
            read();
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ConfigurationException or ArgumentException or NullReferenceException)
        {
            return false;
        }
    }

    private static bool IsDuration(string text) => DurationPattern().IsMatch(text);

    [GeneratedRegex(@"^\d+(\.\d+)?\s*(ns|us|ms|s|m|h|d|nanos?|micros?|millis?|milliseconds?|seconds?|minutes?|hours?|days?)$")]
    private static partial Regex DurationPattern();

    private static IEnumerable<(string Path, HoconValue Value)> Leaves(Config config, string section)
    {
        if (!config.HasPath(section) || config.GetValue(section) is not { } root || !root.IsObject())
        {
            yield break;
        }

        var pending = new Stack<(string Path, HoconValue Value)>();
        pending.Push((section, root));
        while (pending.Count > 0)
        {
            var (path, value) = pending.Pop();
            if (!value.IsObject())
            {
                yield return (path, value);
                continue;
            }

            var items = value.GetObject().Items;
            if (items.Count == 0 && path != section)
            {
                yield return (path, value);
            }

            foreach (var (key, child) in items.OrderByDescending(p => p.Key, StringComparer.Ordinal))
            {
                pending.Push(($"{path}.{key}", child));
            }
        }
    }

    // Levenshtein distance: the known key a typo most likely meant.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

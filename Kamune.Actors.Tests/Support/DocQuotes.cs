using System.Text.RegularExpressions;

namespace Kamune.Tests.Support;

/// <summary>
/// Issue 17 item 8, docs that cannot rot: a page quotes each source file of an example project whole, as
/// <c>&lt;!-- file: PATH --&gt;</c> followed by a csharp block, and the quote must be the file, line for line.
/// </summary>
internal static partial class DocQuotes
{
    /// <summary>Asserts that <paramref name="doc"/> quotes every .cs file under <paramref name="exampleFolder"/> exactly, and nothing else.</summary>
    public static void AssertQuotesEveryFile(string doc, string exampleFolder)
    {
        var root = RepositoryRoot();
        var text = File.ReadAllText(Path.Combine(root, doc));
        var quoted = QuotedFile().Matches(text).ToDictionary(m => m.Groups["path"].Value, m => m.Groups["code"].Value);
        var sources = Directory.EnumerateFiles(Path.Combine(root, exampleFolder), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(sources);
        Assert.Equal(sources, quoted.Keys.Order(StringComparer.Ordinal));
        foreach (var source in sources)
        {
            Assert.Equal(File.ReadAllText(Path.Combine(root, source)).ReplaceLineEndings("\n"), quoted[source].ReplaceLineEndings("\n"));
        }
    }

    /// <summary>
    /// Asserts that every <c>&lt;!-- region: PATH#NAME --&gt;</c> quote in <paramref name="doc"/> (a csharp block) is the
    /// text between <c>#region NAME</c> and its <c>#endregion</c> in PATH, without their common indent, and that there
    /// are <paramref name="expected"/> of them.
    /// </summary>
    public static void AssertQuotesRegions(string doc, int expected)
    {
        var root = RepositoryRoot();
        var quotes = QuotedRegion().Matches(File.ReadAllText(Path.Combine(root, doc)));
        Assert.Equal(expected, quotes.Count);
        foreach (Match quote in quotes)
        {
            var source = File.ReadAllText(Path.Combine(root, quote.Groups["path"].Value)).ReplaceLineEndings("\n").Split('\n');
            var name = quote.Groups["name"].Value;
            var start = Array.FindIndex(source, line => line.Trim() == $"#region {name}");
            Assert.True(start >= 0, $"{doc}: expected #region {name} in {quote.Groups["path"].Value}, got none");
            var end = Array.FindIndex(source, start + 1, line => line.Trim() == "#endregion");
            Assert.True(end > start, $"{doc}: expected an #endregion after #region {name}, got none");
            var lines = source[(start + 1)..end];
            var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
            var region = string.Concat(lines.Select(l => (l.Length >= indent ? l[indent..] : l.TrimStart()) + "\n"));
            Assert.Equal(region, quote.Groups["code"].Value.ReplaceLineEndings("\n"));
        }
    }

    /// <summary>The folder holding Kamune.sln, found upwards from the test's output folder.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kamune.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"Kamune.sln: expected it above {AppContext.BaseDirectory}, got none");
    }

    // <!-- file: PATH --> then a ```csharp block: the block is PATH's whole text.
    [GeneratedRegex(@"<!-- file: (?<path>[^ ]+) -->\r?\n```csharp\r?\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuotedFile();

    // <!-- region: PATH#NAME --> then a ```csharp block: the block is that region of PATH.
    [GeneratedRegex(@"<!-- region: (?<path>[^ #]+)#(?<name>[^ ]+) -->\r?\n```csharp\r?\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuotedRegion();
}

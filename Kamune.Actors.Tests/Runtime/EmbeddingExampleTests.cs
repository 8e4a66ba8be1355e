using System.Globalization;
using System.Text.RegularExpressions;
using Kamune.Tests.Support;

namespace Kamune.Tests.Runtime;

// Issue 17 item 8: docs/embedding.md quotes examples/Kamune.Examples.Embedding file for file, and the example runs
// as a real process: two hosted nodes over loopback, 2,000 messages delivered in order through back-pressure refusals
// (the retry Send documents), graceful close, clean exit.
public sealed partial class EmbeddingExampleTests
{
    private const string ExampleFolder = "examples/Kamune.Examples.Embedding";

    [Fact]
    public async Task The_embedding_example_runs_delivers_every_message_in_order_through_refusals_closes_gracefully_and_exits_0()
    {
        var (exitCode, stdout, stderr) = await ExamplePrograms.RunAsync(ExampleFolder, TimeSpan.FromSeconds(90));

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Alice numbers what arrives against what she expects next: every message, none out of order.
        Assert.Contains("alice: received 2000 messages, all in order", lines);
        // Bob's send window (16) is below what he keeps on his way (32): the order held through real refusals, each
        // episode retried on SendWindowOpen.
        var sent = Assert.Single(lines, line => line.StartsWith("bob: sent", StringComparison.Ordinal));
        var counts = SentLine().Match(sent);
        Assert.True(counts.Success, sent);
        Assert.True(int.Parse(counts.Groups["refused"].Value, CultureInfo.InvariantCulture) >= 1, sent);
        Assert.True(int.Parse(counts.Groups["opens"].Value, CultureInfo.InvariantCulture) >= 1, sent);
        Assert.Matches(@"^alice: listening on 127\.0\.0\.1:[1-9][0-9]*$", lines[0]);
        Assert.Contains(lines, line => line.StartsWith("alice: session with bob established, fingerprint ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("bob: session with alice established, fingerprint ", StringComparison.Ordinal));
        Assert.Contains("bob: session closed (LocalClose)", lines);
        Assert.Contains("alice: session closed (PeerClosed)", lines);
        Assert.Equal("done", lines[^1]);
        // Logs go to stderr only (the example's logging setup), so stdout is the program's own output.
        Assert.DoesNotContain(lines, line => line.StartsWith('['));
    }

    [Fact]
    public void The_embedding_doc_quotes_every_example_file_exactly() => DocQuotes.AssertQuotesEveryFile("docs/embedding.md", ExampleFolder);

    [Fact]
    public void The_README_and_the_settings_doc_quote_regions_of_the_built_example_exactly()
    {
        DocQuotes.AssertQuotesRegions("README.md", expected: 1);
        DocQuotes.AssertQuotesRegions("docs/embedding-settings.md", expected: 1);
    }

    [GeneratedRegex(@"^bob: sent 2000 messages; (?<refused>[0-9]+) refused for back-pressure, sent again after (?<opens>[0-9]+) SendWindowOpen$")]
    private static partial Regex SentLine();
}

using Kamune.Tests.Support;

namespace Kamune.Tests.Runtime;

// Issue 17 item 8: docs/embedding-settings.md "Without Akka.Hosting" quotes examples/Kamune.Examples.WithoutHosting
// file for file, and the example runs as a real process: a hand-built ActorSystem with a KamuneSetup, a session to
// itself over loopback, one message, a graceful close on both ends, a clean exit.
public sealed class WithoutHostingExampleTests
{
    private const string ExampleFolder = "examples/Kamune.Examples.WithoutHosting";

    [Fact]
    public async Task The_example_without_hosting_sends_one_message_to_itself_closes_both_ends_and_exits_0()
    {
        var (exitCode, stdout, stderr) = await ExamplePrograms.RunAsync(ExampleFolder, TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, $"exit code {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Matches(@"^listening on 127\.0\.0\.1:[1-9][0-9]*$", lines[0]);
        Assert.Contains(lines, line => line.StartsWith("Initiator: established with ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("Responder: established with ", StringComparison.Ordinal));
        Assert.Contains("Responder: received \"hello, me\"", lines);
        Assert.Contains("session closed (LocalClose)", lines);
        Assert.Contains("session closed (PeerClosed)", lines);
        Assert.Equal("done", lines[^1]);
    }

    [Fact]
    public void The_settings_doc_quotes_every_file_of_the_example_without_hosting_exactly() =>
        DocQuotes.AssertQuotesEveryFile("docs/embedding-settings.md", ExampleFolder);
}

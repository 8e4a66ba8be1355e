using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kamune.Node.Tests;

/// <summary>
/// The node's stdout and stderr shared with the shell that redirected them, as scripts, nohup and systemd do: every
/// line the shell wrote before and after the node, and every line of the node, is in the file, whole and in order.
/// </summary>
public sealed partial class OutputFileProcessTests : IDisposable
{
    private const int BadCommands = 200;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly TempHome _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("{ GROUP; } > out.txt")]
    [InlineData("echo EARLIER > out.txt; { GROUP; } >> out.txt")]
    [InlineData("{ GROUP; } | cat > out.txt")]
    [InlineData("{ GROUP; } > out.txt 2>&1", "--verbose")]
    public async Task Json_lines_on_a_redirected_stdout_keep_what_the_shell_wrote_before_and_after(string redirection, string extra = "")
    {
        var home = await _temp.NodeHomeAsync("node");
        // The node answers each bad command with an error event, then quits: BadCommands + 2 lines of its own.
        var group = "echo BEFORE; { for i in $(seq " + BadCommands + "); do echo '{\"cmd\":\"nope\"}'; done; echo '{\"cmd\":\"quit\"}'; } " +
            $"| kamune-node run --json --listen 127.0.0.1:0 --home '{home}' {extra}; echo AFTER";

        var run = await ShellScript.RunAsync(redirection.Replace("GROUP", group, StringComparison.Ordinal), _temp.Directory, Bound);

        Assert.True(run.ExitCode == 0, $"expected the script to succeed, got {run.ExitCode}: {run.Stderr}");
        var lines = File.ReadAllLines(_temp.Sub("out.txt"))
            .Where(l => !LogLine().IsMatch(l)) // --verbose with 2>&1: stderr's log lines, whole lines among the others
            .ToList();
        var expected = new List<string>();
        if (redirection.Contains("EARLIER", StringComparison.Ordinal))
        {
            expected.Add("EARLIER");
        }

        expected.Add("BEFORE");
        Assert.True(lines.Count == expected.Count + BadCommands + 2, $"expected {expected.Count + BadCommands + 2} lines, got {lines.Count}: {string.Join('\n', lines)}");
        Assert.Equal(expected, lines.Take(expected.Count));
        Assert.Equal("listening", Event(lines[expected.Count]));
        Assert.All(lines.Skip(expected.Count + 1).Take(BadCommands), l => Assert.Equal("error", Event(l)));
        Assert.Equal("AFTER", lines[^1]);
    }

    [Theory]
    [InlineData("{ GROUP; } 2> err.txt")]
    [InlineData("echo EARLIER > err.txt; { GROUP; } 2>> err.txt")]
    [InlineData("{ GROUP; } > err.txt 2>&1")]
    public async Task Log_and_error_lines_on_a_redirected_stderr_keep_what_the_shell_wrote_before_and_after(string redirection)
    {
        var home = await _temp.NodeHomeAsync("node");
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        // A port in use, with --verbose: Akka's warning and error (a stack trace) through the node's stderr writer, then
        // the one-line error through Console.Error.
        var group = $"echo BEFORE >&2; kamune-node run --json --verbose --listen 127.0.0.1:{port} --home '{home}' < /dev/null || echo \"EXIT $?\" >&2; echo AFTER >&2";

        var run = await ShellScript.RunAsync(redirection.Replace("GROUP", group, StringComparison.Ordinal), _temp.Directory, Bound);

        Assert.True(run.ExitCode == 0, $"expected the script to succeed, got {run.ExitCode}: {run.Stderr}");
        var text = File.ReadAllText(_temp.Sub("err.txt"));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var first = redirection.Contains("EARLIER", StringComparison.Ordinal) ? new[] { "EARLIER", "BEFORE" } : ["BEFORE"];
        Assert.Equal(first, lines.Take(first.Length));
        Assert.Equal(["EXIT 1", "AFTER"], lines[^2..]);
        Assert.Contains(lines, l => LogLine().IsMatch(l) && l.Contains($"Kamune could not listen on 127.0.0.1:{port}", StringComparison.Ordinal));
        Assert.Contains($"kamune-node: error: cannot listen on 127.0.0.1:{port}: ", text, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(text, "kamune-node: error: "));
    }

    private static string? Event(string line) => JsonDocument.Parse(line).RootElement.GetProperty("event").GetString();

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} \[[A-Z]{3}\] ")]
    private static partial Regex LogLine();
}

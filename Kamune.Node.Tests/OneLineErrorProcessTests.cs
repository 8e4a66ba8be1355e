using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Kamune.Node.Tests;

/// <summary>
/// What a failing kamune-node says, from outside: stdout carries only what the mode promises (JSON lines with
/// --json, the console's or the bench's own lines otherwise), no logger writes it, and without --verbose the error is
/// one line on stderr, said once, also on a terminal where stdout and stderr meet.
/// </summary>
public sealed class OneLineErrorProcessTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TempHome _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_json_node_on_a_port_in_use_prints_nothing_on_stdout_and_one_error_line()
    {
        var home = await _temp.NodeHomeAsync("node");
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var result = await NodeProcess.RunAsync(["run", "--json", "--listen", $"127.0.0.1:{port}", "--home", home], timeout: Bound);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Stdout);
        Assert.Equal($"kamune-node: error: cannot listen on 127.0.0.1:{port}: Address already in use", Assert.Single(Lines(result.Stderr)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    public async Task A_bench_against_nothing_prints_its_header_on_stdout_and_one_error_line(string warmup)
    {
        var result = await NodeProcess.RunAsync(["bench", "--target", "127.0.0.1:1", "--sessions", "2", "--warmup", warmup], timeout: Bound);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("bench 127.0.0.1:1: 2 sessions", Assert.Single(Lines(result.Stdout)), StringComparison.Ordinal);
        Assert.StartsWith("kamune-node: error: cannot connect to 127.0.0.1:1", Assert.Single(Lines(result.Stderr)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_dial_of_a_console_node_on_a_terminal_is_said_once()
    {
        var home = await _temp.NodeHomeAsync("node");

        // util-linux script: the node's stdin, stdout and stderr are one pseudo-terminal, as in an interactive shell.
        var run = await ShellScript.RunAsync(
            $"script -qec \"kamune-node run --dial 127.0.0.1:1 --home '{home}'\" /dev/null < /dev/null", _temp.Directory, Bound);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Type /help for commands.", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, Regex.Count(run.Stdout, "cannot connect to 127.0.0.1:1"));
        Assert.Equal(1, Regex.Count(run.Stdout, "kamune-node: error: cannot connect to 127.0.0.1:1"));
    }

    [Fact]
    public async Task A_name_peers_would_refuse_is_a_usage_error_before_anything_listens()
    {
        var home = await _temp.NodeHomeAsync("node");

        var result = await NodeProcess.RunAsync(["run", "--listen", "127.0.0.1:0", "--name", "ali\u200bce", "--home", home], timeout: Bound);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(
            "kamune-node: error: --name / kamune.name: peers would refuse it: Introduce.Name: expected visible characters only, got a format character U+200B",
            Assert.Single(Lines(result.Stderr)),
            StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task A_bad_trust_value_is_one_line_naming_the_option_and_its_values()
    {
        var result = await NodeProcess.RunAsync(["run", "--trust", "maybe"], timeout: Bound);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            "kamune-node: error: --trust: Argument 'maybe' not recognized. Must be one of: 'tofu', 'allow-list', 'any' (see kamune-node --help)",
            Assert.Single(Lines(result.Stderr)));
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task An_unknown_option_without_a_command_is_one_line_about_the_option()
    {
        var result = await NodeProcess.RunAsync(["--bogus"], timeout: Bound);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("kamune-node: error: Unrecognized command or argument '--bogus'. (see kamune-node --help)", Assert.Single(Lines(result.Stderr)));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

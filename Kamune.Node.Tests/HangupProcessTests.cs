namespace Kamune.Node.Tests;

/// <summary>
/// SIGHUP (the terminal closed) stops kamune-node as SIGTERM does: every session closed gracefully, exit code 0.
/// Before, the runtime's default action ended the process at once and its peers saw ConnectionLost. A node started
/// with SIGHUP ignored (nohup) keeps ignoring it. Real processes, a real terminal (tmux).
/// </summary>
public sealed class HangupProcessTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly TempHome _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_console_node_whose_terminal_is_closed_closes_its_session_gracefully_and_exits_0()
    {
        await using var listener = NodeProcess.Start(["run", "--json", "--listen", "127.0.0.1:0", "--trust", "any", "--home", await _temp.NodeHomeAsync("listener")]);
        var address = (await listener.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
        var home = await _temp.NodeHomeAsync("console");
        // An interactive shell, as in a terminal window: hung up, it passes SIGHUP on to its foreground job and exits,
        // and the kernel hangs up that job too. The job's own small shell survives the hang-up (a trap, which the node
        // does not inherit) only to write down the node's exit code: the terminal it would print it on is gone.
        using var terminal = await TmuxTerminal.StartAsync("bash --norc --noprofile -i", _temp.Directory);
        await terminal.TypeLineAsync(
            $"sh -c \"trap 'echo hup >> hangup.txt' HUP; kamune-node run --dial {address} --trust any --home '{home}'; echo \\$? > exit.txt\"");
        await terminal.WaitForTextAsync("[1] session with", Bound);
        await listener.WaitForEventAsync("session_established");

        await terminal.HangUpAsync();

        Assert.Equal("peer_closed", (await listener.WaitForEventAsync("session_closed", timeout: Bound)).GetProperty("reason").GetString());
        Assert.Equal("0", await ReadWhenWrittenAsync(_temp.Sub("exit.txt")));
        Assert.Equal("hup", await ReadWhenWrittenAsync(_temp.Sub("hangup.txt")));
    }

    [Fact]
    public async Task A_listening_node_hung_up_twice_closes_its_session_gracefully_and_exits_0()
    {
        await using var listener = NodeProcess.Start(["run", "--json", "--listen", "127.0.0.1:0", "--trust", "any", "--home", await _temp.NodeHomeAsync("listener")]);
        var address = (await listener.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
        await using var dialer = NodeProcess.Start(["run", "--json", "--dial", address, "--trust", "any", "--home", await _temp.NodeHomeAsync("dialer")]);
        await dialer.WaitForEventAsync("session_established");
        await listener.WaitForEventAsync("session_established");

        // A closed terminal hangs up its foreground job twice (the kernel, then the shell): not a request to hurry.
        listener.Signal(NodeProcess.SigHup);
        listener.Signal(NodeProcess.SigHup);

        Assert.Equal(0, await listener.WaitForExitAsync(Bound));
        Assert.Equal("peer_closed", (await dialer.WaitForEventAsync("session_closed")).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_node_under_nohup_ignores_SIGHUP_and_serves_on_until_SIGTERM()
    {
        var home = await _temp.NodeHomeAsync("nohup");
        var script = $"""
            nohup kamune-node run --json --listen 127.0.0.1:0 --trust any --home '{home}' > node.jsonl 2> node.err &
            node=$!
            for i in $(seq 300); do grep -q '"listening"' node.jsonl && break; sleep 0.1; done
            kill -HUP $node
            sleep 1
            if kill -0 $node 2>/dev/null; then echo "alive after SIGHUP"; fi
            kill $node
            status=0; wait $node || status=$?
            echo "node exit $status"
            """;

        var run = await ShellScript.RunAsync(script, _temp.Directory, Bound);

        Assert.True(run.ExitCode == 0, $"expected the script to succeed, got {run.ExitCode}; stdout: {run.Stdout}; stderr: {run.Stderr}");
        Assert.Contains("alive after SIGHUP", run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("node exit 0", run.Stdout.TrimEnd(), StringComparison.Ordinal);
    }

    // The file's first line once it has one; bounded, as the process that writes it may never get there.
    private static async Task<string> ReadWhenWrittenAsync(string path)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!File.Exists(path) || File.ReadAllText(path).Trim().Length == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"nothing written to {path} within {Bound}");
            }

            await Task.Delay(100);
        }

        return File.ReadAllLines(path)[0].Trim();
    }
}

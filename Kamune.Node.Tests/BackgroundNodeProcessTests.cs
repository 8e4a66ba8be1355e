using System.Text.RegularExpressions;

namespace Kamune.Node.Tests;

/// <summary>
/// A listening node in the background, in a script, under nohup or a service manager: its stdin at end of input (or a
/// terminal it does not own) never stops it; SIGTERM does, with exit code 0. Ctrl+D in the foreground console still
/// closes it gracefully. Driven from outside: a real process, a bash script, a terminal (tmux).
/// </summary>
public sealed partial class BackgroundNodeProcessTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly TempHome _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_listening_node_whose_stdin_ended_serves_a_peer_and_exits_0_on_SIGTERM()
    {
        var home = await _temp.NodeHomeAsync("listener");
        await using var listener = NodeProcess.Start(["run", "--json", "--listen", "127.0.0.1:0", "--trust", "any", "--home", home]);
        listener.CloseStdin();
        var address = (await listener.WaitForEventAsync("listening")).GetProperty("address").GetString()!;

        // A node that took end of input as quit is gone well within this second; one that serves is still there.
        var exit = listener.WaitForExitAsync(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<TimeoutException>(() => exit);
        await using var dialer = NodeProcess.Start(["run", "--json", "--dial", address, "--trust", "any", "--home", await _temp.NodeHomeAsync("dialer")]);
        await dialer.WaitForEventAsync("session_established");
        await listener.WaitForEventAsync("session_established");

        listener.Signal(NodeProcess.SigTerm);

        Assert.Equal(0, await listener.WaitForExitAsync());
        Assert.Equal("peer_closed", (await dialer.WaitForEventAsync("session_closed")).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_readme_bench_recipe_runs_as_a_script_and_the_node_exits_0_when_killed()
    {
        var home = await _temp.NodeHomeAsync("echo");
        // The README's recipe, as a script runs it: bash gives a background job /dev/null as its stdin.
        var script = $"""
            kamune-node run --listen 127.0.0.1:0 --echo --trust any --home '{home}' > echo-node.log &
            for i in $(seq 300); do grep -q '^listening on ' echo-node.log && break; sleep 0.1; done
            kamune-node bench --target "$(sed -n 's/^listening on //p' echo-node.log)" --sessions 2 --messages 10 --warmup 0
            kill %1
            status=0; wait %1 || status=$?
            echo "node exit $status"
            """;

        var run = await ShellScript.RunAsync(script, _temp.Directory, Bound);

        Assert.True(run.ExitCode == 0, $"expected the script to succeed, got {run.ExitCode}; stdout: {run.Stdout}; stderr: {run.Stderr}");
        Assert.Contains("sessions     2 established, 0 failed", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("messages     20 round trips", run.Stdout, StringComparison.Ordinal);
        Assert.EndsWith("node exit 0", run.Stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_background_job_of_an_interactive_shell_keeps_serving_and_exits_0_when_killed()
    {
        var home = await _temp.NodeHomeAsync("echo");
        using var terminal = await TmuxTerminal.StartAsync("bash --norc --noprofile -i", _temp.Directory);
        await terminal.TypeLineAsync($"kamune-node run --listen 127.0.0.1:0 --echo --trust any --home '{home}' &");
        var screen = await terminal.WaitForAsync(s => Listening().IsMatch(s), Bound, "listening on HOST:PORT");
        var address = Listening().Match(screen).Groups[1].Value;

        // A job that read (or set up) the terminal from the background would be stopped by it (SIGTTIN, SIGTTOU).
        await terminal.TypeLineAsync($"kamune-node bench --target {address} --sessions 2 --messages 10 --warmup 0; echo BENCH=$?");
        await terminal.WaitForAsync(s => Said("BENCH").IsMatch(s), Bound, "the bench's end");
        await terminal.TypeLineAsync("jobs -l");
        screen = await terminal.WaitForAsync(s => JobState().IsMatch(s), Bound, "the job's state");
        Assert.Equal("0", Said("BENCH").Match(screen).Groups[1].Value);
        Assert.Equal("Running", JobState().Match(screen).Groups[1].Value);

        // Brought to the foreground, it reads the terminal: a command, then Ctrl+D.
        await terminal.TypeLineAsync("fg");
        await terminal.TypeLineAsync("/peers");
        await terminal.WaitForTextAsync("no sessions", Bound);
        await terminal.PressAsync("C-d");
        await terminal.TypeLineAsync("echo NODE=$?");
        Assert.Equal("0", await ExitCodeAsync(terminal, "NODE"));
    }

    [Fact]
    public async Task A_console_suspended_with_Ctrl_Z_and_resumed_with_bg_serves_on_and_fg_gives_it_the_terminal_back()
    {
        var home = await _temp.NodeHomeAsync("console");
        using var terminal = await TmuxTerminal.StartAsync("bash --norc --noprofile -i", _temp.Directory);
        await terminal.TypeLineAsync($"kamune-node run --listen 127.0.0.1:0 --trust any --home '{home}'");
        var address = Listening().Match(await terminal.WaitForAsync(s => Listening().IsMatch(s), Bound, "listening on HOST:PORT")).Groups[1].Value;

        // Suspended while it waits for a typed line, then resumed in the background: the terminal must not stop it again.
        await terminal.PressAsync("C-z");
        await terminal.WaitForTextAsync("Stopped", Bound);
        await terminal.TypeLineAsync("bg");
        await using var dialer = NodeProcess.Start(["run", "--json", "--dial", address, "--trust", "any", "--home", await _temp.NodeHomeAsync("dialer")]);
        await dialer.WaitForEventAsync("session_established");
        await terminal.TypeLineAsync("jobs -l");
        var screen = await terminal.WaitForAsync(s => JobState().IsMatch(s), Bound, "the job's state");
        Assert.Equal("Running", JobState().Matches(screen)[^1].Groups[1].Value);

        await terminal.TypeLineAsync("fg");
        await terminal.TypeLineAsync("/peers");
        await terminal.WaitForTextAsync("*[1] ", Bound);
        await terminal.PressAsync("C-d");

        Assert.Equal("peer_closed", (await dialer.WaitForEventAsync("session_closed")).GetProperty("reason").GetString());
        await terminal.TypeLineAsync("echo NODE=$?");
        Assert.Equal("0", await ExitCodeAsync(terminal, "NODE"));
    }

    [Fact]
    public async Task A_node_under_nohup_in_an_interactive_shell_serves_a_peer_and_exits_0_when_killed()
    {
        var home = await _temp.NodeHomeAsync("nohup");
        using var terminal = await TmuxTerminal.StartAsync("bash --norc --noprofile -i", _temp.Directory);
        // nohup puts a descriptor that cannot be read in place of the terminal, and appends stdout to nohup.out.
        await terminal.TypeLineAsync($"nohup kamune-node run --json --listen 127.0.0.1:0 --trust any --home '{home}' &");
        var log = _temp.Sub("nohup.out");
        var deadline = DateTime.UtcNow + Bound;
        while (!(File.Exists(log) && File.ReadAllText(log).Contains("\"listening\"", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no listening event in nohup.out; the terminal shows:\n{await terminal.ScreenAsync()}");
            await Task.Delay(100);
        }

        var address = JsonListening().Match(File.ReadAllText(log)).Groups[1].Value;
        await using var dialer = NodeProcess.Start(["run", "--json", "--dial", address, "--trust", "any", "--home", await _temp.NodeHomeAsync("dialer")]);
        await dialer.WaitForEventAsync("session_established");
        await terminal.TypeLineAsync("jobs -l");
        var screen = await terminal.WaitForAsync(s => JobState().IsMatch(s), Bound, "the job's state");
        Assert.Equal("Running", JobState().Match(screen).Groups[1].Value);

        await terminal.TypeLineAsync("kill %1; wait %1; echo NODE=$?");

        Assert.Equal("peer_closed", (await dialer.WaitForEventAsync("session_closed")).GetProperty("reason").GetString());
        Assert.Equal("0", await ExitCodeAsync(terminal, "NODE"));
        Assert.Contains("\"session_established\"", File.ReadAllText(log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_D_in_the_foreground_console_closes_every_session_gracefully_and_exits_0()
    {
        var home = await _temp.NodeHomeAsync("console");
        using var terminal = await TmuxTerminal.StartAsync(
            $"kamune-node run --listen 127.0.0.1:0 --trust any --home '{home}'; echo EXIT=$?; sleep 600", _temp.Directory);
        var screen = await terminal.WaitForAsync(s => Listening().IsMatch(s), Bound, "listening on HOST:PORT");
        await using var dialer = NodeProcess.Start(
            ["run", "--json", "--dial", Listening().Match(screen).Groups[1].Value, "--trust", "any", "--home", await _temp.NodeHomeAsync("dialer")]);
        await dialer.WaitForEventAsync("session_established");
        await terminal.WaitForTextAsync("[1] session with", Bound);

        await terminal.PressAsync("C-d");

        Assert.Equal("peer_closed", (await dialer.WaitForEventAsync("session_closed")).GetProperty("reason").GetString());
        Assert.Equal("0", await ExitCodeAsync(terminal, "EXIT"));
    }

    // NAME=VALUE at the start of a line: what the shell printed, not the command line typed to make it print it.
    private static Regex Said(string name) => new($"^{name}=(\\d+)", RegexOptions.Multiline);

    // The exit code the shell printed as NAME=CODE once the node ended.
    private static async Task<string> ExitCodeAsync(TmuxTerminal terminal, string name)
    {
        var screen = await terminal.WaitForAsync(s => Said(name).IsMatch(s), Bound, "the node's exit code");
        return Said(name).Match(screen).Groups[1].Value;
    }

    [GeneratedRegex(@"listening on (127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    [GeneratedRegex("\"event\":\"listening\",\"address\":\"([^\"]+)\"")]
    private static partial Regex JsonListening();

    [GeneratedRegex(@"^\[1\]\+?\s+\d+ (Running|Stopped)", RegexOptions.Multiline)]
    private static partial Regex JobState();
}

using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json;

namespace Kamune.Node.Tests;

/// <summary>
/// Issue 4, as a process: one `kamune-node run --json --echo` holds 200 concurrent sessions that a
/// `kamune-node bench` process opens, echoes every message on each, and sees every one of them closed gracefully.
/// </summary>
public sealed class BenchLoadProcessTests : IDisposable
{
    private const int Sessions = 200;
    private const int Messages = 5;

    // What a benchmark's echo node sets in its own config: the bench opens every session from one address.
    private const string BenchEchoConfig = "kamune.max-connections-per-address = 0\n";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TempHome _temp = new();

    [Fact]
    public async Task An_echo_node_process_holds_two_hundred_concurrent_sessions_opened_by_bench_and_echoes_every_message()
    {
        var home = _temp.Sub("echo");
        Assert.Equal(0, (await NodeProcess.RunAsync(["identity", "new", "--home", home])).ExitCode);
        // 200 sessions from one address: more than kamune-node's protective per-address limit (32), so the echo
        // node raises it in its own config, as a benchmark does. The accept rate limit's burst (400) takes them.
        var echoConfig = _temp.Sub("echo.conf");
        await File.WriteAllTextAsync(echoConfig, BenchEchoConfig);
        await using var echo = NodeProcess.Start(
            ["run", "--json", "--echo", "--home", home, "--listen", "127.0.0.1:0", "--trust", "any", "--config", echoConfig]);
        var address = (await echo.WaitForEventAsync("listening")).GetProperty("address").GetString()!;

        var bench = await NodeProcess.RunAsync(
            ["bench", "--target", address, "--sessions", $"{Sessions}", "--messages", $"{Messages}", "--warmup", "0"], timeout: Bound);

        Assert.True(bench.ExitCode == 0, $"bench: expected exit code 0, got {bench.ExitCode}; stderr: {bench.Stderr}");
        Assert.Contains($"sessions     {Sessions} established, 0 failed", bench.Stdout, StringComparison.Ordinal);
        Assert.Contains($"messages     {Sessions * Messages} round trips", bench.Stdout, StringComparison.Ordinal);

        // The echo node's own account: every session came up, all of them were open at once, each message was
        // received (and echoed), and every session ended with the bench's CLOSE_TRANSPORT.
        var events = new List<JsonElement>();
        while (events.Count(e => Event(e) == "session_closed") < Sessions)
        {
            var line = await echo.ReadLineAsync(Bound) ?? throw new InvalidOperationException($"echo node stdout ended; stderr: {echo.Stderr}");
            events.Add(JsonDocument.Parse(line).RootElement);
        }

        var open = 0;
        var mostOpen = 0;
        foreach (var e in events)
        {
            open += Event(e) switch { "session_established" => 1, "session_closed" => -1, _ => 0 };
            mostOpen = Math.Max(mostOpen, open);
        }

        var counts = string.Join(", ", events.GroupBy(Event).Select(g => $"{g.Key} {g.Count()}"));
        Assert.True(mostOpen == Sessions, $"expected {Sessions} sessions open at once, got {mostOpen}; events: {counts}");
        Assert.Equal(Sessions, events.Count(e => Event(e) == "session_established"));
        Assert.True(events.Count(e => Event(e) == "message_received") == Sessions * Messages, $"expected {Sessions * Messages} messages received; events: {counts}");
        Assert.All(events.Where(e => Event(e) == "session_closed"), e => Assert.Equal("peer_closed", e.GetProperty("reason").GetString()));
        Assert.DoesNotContain(events, e => Event(e) == "error");

        // A listening node takes end of stdin as "no more commands": quit is what ends it.
        await echo.WriteLineAsync("{\"cmd\":\"quit\"}");
        Assert.Equal(0, await echo.WaitForExitAsync(Bound));
    }

    [Fact]
    public async Task Bench_warms_up_with_untimed_rounds_that_its_report_does_not_count()
    {
        var home = _temp.Sub("warm");
        Assert.Equal(0, (await NodeProcess.RunAsync(["identity", "new", "--home", home])).ExitCode);
        await using var echo = NodeProcess.Start(["run", "--json", "--echo", "--home", home, "--listen", "127.0.0.1:0", "--trust", "any"]);
        var address = (await echo.WaitForEventAsync("listening")).GetProperty("address").GetString()!;

        var bench = await NodeProcess.RunAsync(
            ["bench", "--target", address, "--sessions", "3", "--messages", "7", "--warmup", "0.5"], timeout: Bound);

        Assert.True(bench.ExitCode == 0, $"bench: expected exit code 0, got {bench.ExitCode}; stderr: {bench.Stderr}");
        // At least the 0.5 s asked for, then until the JIT is quiet, at most ten times as long (5 s). The limit is
        // kept by not starting a round that the previous one's length says would cross it, so it is overrun only by
        // as much as a round was slower than the one before it: 1.5 s of that is allowed for a busy machine.
        var warmUp = Regex.Match(bench.Stdout, @"^warm-up +([0-9.]+) s of the same load, not counted; (JIT quiet|JIT still compiling)", RegexOptions.Multiline);
        Assert.True(warmUp.Success, $"expected the warm-up line, got: {bench.Stdout}");
        var warmUpSeconds = double.Parse(warmUp.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(warmUpSeconds is >= 0.5 and <= 6.5, $"expected a warm-up of 0.5 to 6.5 s, got {warmUpSeconds} s: {bench.Stdout}");
        Assert.Contains("sessions     3 established, 0 failed", bench.Stdout, StringComparison.Ordinal);
        Assert.Contains("messages     21 round trips", bench.Stdout, StringComparison.Ordinal);

        // The echo node saw the warm-up's sessions too (at least one round of 3 sessions x 7 messages), all closed.
        // A listening node takes end of stdin as "no more commands": quit is what ends it.
        await echo.WriteLineAsync("{\"cmd\":\"quit\"}");
        var events = new List<JsonElement>();
        while (await echo.ReadLineAsync(Bound) is { } line)
        {
            events.Add(JsonDocument.Parse(line).RootElement);
        }

        var established = events.Count(e => Event(e) == "session_established");
        Assert.True(established >= 6, $"expected the 3 measured sessions plus at least 3 of the warm-up, got {established}");
        Assert.Equal(established, events.Count(e => Event(e) == "session_closed"));
        Assert.Equal(established * 7, events.Count(e => Event(e) == "message_received"));
        Assert.Equal(0, await echo.WaitForExitAsync(Bound));
    }

    [Fact]
    public async Task An_echo_node_holds_echoes_its_send_window_refuses_and_sends_every_one_in_order()
    {
        // The bench keeps 32 messages in flight; the echo node may have only 2 unacknowledged writes, so most echoes
        // are refused by back-pressure at first. Each must still come back, or the bench stalls and fails.
        await BenchCompletesAgainstEchoAsync("narrow",
            echoConfig: "kamune.send-window = 2\nkamune-node.bench-window = 2\n", benchConfig: "kamune-node.bench-window = 32\n",
            sessions: 2, messages: 400);
    }

    [Fact]
    public async Task A_bench_whose_own_session_refuses_a_send_sends_it_again_instead_of_stalling()
    {
        // bench-window = send-window: the first burst of a session can meet the handshake's last frames still
        // unconfirmed by the connection, and the session refuses the overflow for back-pressure. Each refused send
        // must go out again, or its round trip never completes and the bench fails after its stall timeout.
        await BenchCompletesAgainstEchoAsync("tight",
            echoConfig: null, benchConfig: "kamune.send-window = 1\nkamune-node.bench-window = 1\n", sessions: 48, messages: 10);
    }

    // Runs `bench` (100 B messages, no warm-up) against a fresh --echo node; every round trip must complete.
    private async Task BenchCompletesAgainstEchoAsync(string name, string? echoConfig, string benchConfig, int sessions, int messages)
    {
        var home = _temp.Sub(name);
        Assert.Equal(0, (await NodeProcess.RunAsync(["identity", "new", "--home", home])).ExitCode);
        var echoFile = _temp.Sub(name + "-echo.conf");
        await File.WriteAllTextAsync(echoFile, BenchEchoConfig + (echoConfig ?? ""));
        string[] echoArgs = ["run", "--json", "--echo", "--home", home, "--listen", "127.0.0.1:0", "--trust", "any", "--config", echoFile];

        var benchFile = _temp.Sub(name + "-bench.conf");
        await File.WriteAllTextAsync(benchFile, benchConfig);
        await using var echo = NodeProcess.Start(echoArgs);
        var address = (await echo.WaitForEventAsync("listening")).GetProperty("address").GetString()!;

        var bench = await NodeProcess.RunAsync(
            ["bench", "--target", address, "--sessions", $"{sessions}", "--messages", $"{messages}", "--size", "100", "--warmup", "0", "--config", benchFile],
            timeout: Bound);

        Assert.True(bench.ExitCode == 0, $"bench: expected exit code 0, got {bench.ExitCode}; stdout: {bench.Stdout}; stderr: {bench.Stderr}");
        Assert.Contains($"messages     {sessions * messages} round trips", bench.Stdout, StringComparison.Ordinal);
        // A listening node takes end of stdin as "no more commands": quit is what ends it.
        await echo.WriteLineAsync("{\"cmd\":\"quit\"}");
        Assert.Equal(0, await echo.WaitForExitAsync(Bound));
    }

    private static string? Event(JsonElement e) => e.GetProperty("event").GetString();

    public void Dispose() => _temp.Dispose();
}

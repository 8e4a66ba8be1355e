namespace Kamune.Node.Tests;

/// <summary>`kamune-node bench` on a real terminal (tmux): the warm-up shows progress, and the report starts on a clean line with no progress left on the screen.</summary>
public sealed class BenchTerminalTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly TempHome _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_warm_up_shows_its_rounds_and_the_report_leaves_no_progress_on_the_screen()
    {
        var home = await _temp.NodeHomeAsync("echo");
        await using var echo = NodeProcess.Start(["run", "--json", "--echo", "--listen", "127.0.0.1:0", "--trust", "any", "--home", home]);
        var address = (await echo.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
        using var terminal = await TmuxTerminal.StartAsync(
            $"kamune-node bench --target {address} --sessions 3 --messages 200 --warmup 0.5; echo; echo BENCH=$?; sleep 600", _temp.Directory);

        // At least half a second of warm-up, the line redrawn as each round goes.
        await terminal.WaitForAsync(s => s.Contains("warm-up ", StringComparison.Ordinal) && s.Contains(" s, round ", StringComparison.Ordinal), Bound, "the warm-up's progress");
        var screen = await terminal.WaitForAsync(s => s.Contains("BENCH=", StringComparison.Ordinal), Bound, "the bench's end");

        Assert.Contains("BENCH=0", screen, StringComparison.Ordinal);
        var lines = screen.Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.Contains(lines, l => l.StartsWith("warm-up      ", StringComparison.Ordinal));
        Assert.Contains("sessions     3 established, 0 failed", lines);
        Assert.DoesNotContain(lines, l => l.Contains(" s, round ", StringComparison.Ordinal) || l.Contains("round trips/s", StringComparison.Ordinal) || l.Contains("handshakes 3/3", StringComparison.Ordinal));
        await echo.WriteLineAsync("{\"cmd\":\"quit\"}");
        Assert.Equal(0, await echo.WaitForExitAsync(Bound));
    }
}

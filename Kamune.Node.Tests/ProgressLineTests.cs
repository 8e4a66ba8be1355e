using Kamune.Node.Bench;

namespace Kamune.Node.Tests;

/// <summary>The bench's progress line on a fake terminal where stdout and stderr meet, as on a real one.</summary>
public sealed class ProgressLineTests
{
    private static readonly string Erase = "\r" + new string(' ', ProgressLine.Width) + "\r";

    [Fact]
    public void Each_update_is_drawn_over_the_last_and_a_report_line_starts_on_an_erased_line()
    {
        var terminal = new StringWriter();
        var progress = new ProgressLine(terminal);

        progress.Report("handshakes 1/2");
        progress.Report("handshakes 2/2");
        progress.WriteLine(terminal, "sessions     2 established, 0 failed");

        Assert.Equal(
            $"\r{"handshakes 1/2",-ProgressLine.Width}\r{"handshakes 2/2",-ProgressLine.Width}{Erase}sessions     2 established, 0 failed{terminal.NewLine}",
            terminal.ToString());
    }

    [Fact]
    public void After_close_the_line_is_erased_and_a_late_update_draws_nothing()
    {
        var terminal = new StringWriter();
        var progress = new ProgressLine(terminal);
        progress.Report("messages 10/20");

        progress.Close();
        progress.Report("messages 20/20");
        progress.WriteLine(terminal, "messages     20 round trips");

        Assert.Equal($"\r{"messages 10/20",-ProgressLine.Width}{Erase}messages     20 round trips{terminal.NewLine}", terminal.ToString());
    }

    [Fact]
    public async Task Updates_racing_from_the_pool_are_drawn_whole_and_none_lands_after_close()
    {
        var terminal = new StringWriter();
        var progress = new ProgressLine(terminal);
        using var started = new CountdownEvent(8);
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            started.Signal();
            for (var i = 0; i < 2_000; i++)
            {
                progress.Report($"handshakes {w}/{i}");
            }
        })).ToArray();

        started.Wait();
        progress.Close();
        var atClose = terminal.ToString();
        await Task.WhenAll(writers);

        Assert.Equal(atClose, terminal.ToString());
        Assert.EndsWith(Erase, atClose, StringComparison.Ordinal);
        // Every update is one piece: a carriage return and the whole padded text, never cut by another.
        Assert.All(atClose.Split('\r').Skip(1).SkipLast(1), piece => Assert.Equal(ProgressLine.Width, piece.Length));
    }

    [Fact]
    public void Without_a_terminal_nothing_is_drawn_and_report_lines_still_go_out()
    {
        var output = new StringWriter();
        var progress = new ProgressLine(null);

        progress.Report("warm-up 1.0 s, round 2: handshakes 4/4");
        progress.WriteLine(output, "warm-up      1.2 s of the same load");
        progress.Close();

        Assert.Equal($"warm-up      1.2 s of the same load{output.NewLine}", output.ToString());
    }

    [Fact]
    public void A_long_update_is_cut_to_the_line_width()
    {
        var terminal = new StringWriter();
        var progress = new ProgressLine(terminal);

        progress.Report(new string('x', ProgressLine.Width + 30));

        Assert.Equal("\r" + new string('x', ProgressLine.Width), terminal.ToString());
    }
}

using System.Diagnostics;

namespace Kamune.Node.Tests;

/// <summary>
/// A real terminal: a tmux server of its own (its own socket, so tests in parallel do not meet) running one command
/// in a pseudo-terminal, typed at with send-keys and read with capture-pane. `kamune-node` is on its PATH
/// (<see cref="ShellScript.BinDirectory"/>). Every wait is bounded; disposing kills the server and what runs in it.
/// </summary>
internal sealed class TmuxTerminal : IDisposable
{
    private readonly string _socket = "kamune-test-" + Guid.NewGuid().ToString("N");
    private string? _socketPath;

    private TmuxTerminal()
    {
    }

    /// <summary>Starts <paramref name="command"/> (a shell command line) in a 200x50 terminal in <paramref name="directory"/>.</summary>
    public static async Task<TmuxTerminal> StartAsync(string command, string directory)
    {
        var terminal = new TmuxTerminal();
        await terminal.TmuxAsync("-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "200", "-y", "50", "-c", directory, command);
        terminal._socketPath = (await terminal.TmuxAsync("display-message", "-p", "#{socket_path}")).Trim();
        return terminal;
    }

    /// <summary>Types <paramref name="text"/> literally, then Enter.</summary>
    public async Task TypeLineAsync(string text)
    {
        await TmuxAsync("send-keys", "-t", "main", "-l", text);
        await TmuxAsync("send-keys", "-t", "main", "Enter");
    }

    /// <summary>A key by tmux's name for it: "C-d" is Ctrl+D.</summary>
    public Task PressAsync(string key) => TmuxAsync("send-keys", "-t", "main", key);

    /// <summary>
    /// Closes the terminal as closing its window does: the server goes, the pseudo-terminal hangs up and what runs in
    /// it gets SIGHUP.
    /// </summary>
    public Task HangUpAsync() => TmuxAsync("kill-server");

    /// <summary>What the terminal shows, with its scroll-back, lines that wrapped joined.</summary>
    public Task<string> ScreenAsync() => TmuxAsync("capture-pane", "-p", "-J", "-t", "main", "-S", "-");

    /// <summary>Reads the screen until <paramref name="done"/> holds for it; the screen then.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var screen = await ScreenAsync();
            if (done(screen))
            {
                return screen;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the terminal did not show {what} within {timeout}; it shows:\n{screen}");
            }

            await Task.Delay(100);
        }
    }

    public Task<string> WaitForTextAsync(string text, TimeSpan timeout) =>
        WaitForAsync(s => s.Contains(text, StringComparison.Ordinal), timeout, $"\"{text}\"");

    public void Dispose()
    {
        try
        {
            TmuxAsync("kill-server").Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // Already gone: the command ended and took the server with it.
        }

        // A killed server leaves its socket behind.
        if (_socketPath is { Length: > 0 } path && File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private async Task<string> TmuxAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("tmux")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add(_socket);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("KAMUNE_HOME");
        info.Environment.Remove("TMUX");
        info.Environment["PATH"] = ShellScript.BinDirectory + Path.PathSeparator + info.Environment["PATH"];
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', arguments)}: exit code {process.ExitCode}: {await error}");
        }

        return await output;
    }
}

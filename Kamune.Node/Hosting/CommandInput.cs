using System.Runtime.InteropServices;

namespace Kamune.Node.Hosting;

/// <summary>
/// stdin as the node's command source, with the rules that let it run in the background and as a service:
/// <list type="bullet">
/// <item>A terminal is read only while this process is in its foreground process group. A background job that
/// reads its terminal (or sets it up for reading, as .NET's console does) is stopped by it (SIGTTIN/SIGTTOU), so
/// `kamune-node run ... &amp;` waits until it is brought to the foreground (`fg`) before it takes commands.</item>
/// <item>End of input from a terminal (Ctrl+D) is "quit". End of input from anything else (/dev/null under nohup,
/// systemd or a script's `&amp;`, a pipe whose writer is done) is "quit" only for a node that does not listen:
/// one that listens serves on until `/quit` or {"cmd":"quit"}, SIGINT or SIGTERM.</item>
/// </list>
/// Until then a read does not return; once <paramref name="stopping"/> fires it returns end of input.
/// </summary>
internal sealed partial class CommandInput(Func<TextReader> open, bool listening, CancellationToken stopping) : TextReader
{
    private static readonly TimeSpan ForegroundPoll = TimeSpan.FromMilliseconds(250);

    private readonly bool _terminal = !Console.IsInputRedirected;
    private TextReader? _reader;
    private bool _ended;

    /// <summary>Whether end of input from this kind of stdin means quit (see the class comment).</summary>
    public static bool EndIsQuit(bool terminal, bool listening) => terminal || !listening;

    public override string? ReadLine()
    {
        if (_ended || !WaitForForeground())
        {
            return null;
        }

        // Opened here, on the reading thread and once in the foreground: opening a terminal sets it up already.
        _reader ??= open();
        try
        {
            if (_reader.ReadLine() is { } line)
            {
                return line;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // nohup gives a terminal's place to a descriptor opened for writing only: reading it fails (EBADF, which
            // .NET throws as UnauthorizedAccessException). No commands will come from it.
            Serilog.Log.Debug("stdin cannot be read: {Reason}", e.Message);
        }

        _ended = true;
        if (!EndIsQuit(_terminal, listening))
        {
            stopping.WaitHandle.WaitOne();
        }

        return null;
    }

    // False once stopping: nothing more is to be read then.
    private bool WaitForForeground()
    {
        while (_terminal && !IsForeground())
        {
            if (stopping.WaitHandle.WaitOne(ForegroundPoll))
            {
                return false;
            }
        }

        return !stopping.IsCancellationRequested;
    }

    /// <summary>
    /// Whether this process may read stdin's terminal: its process group is the terminal's foreground group, or the
    /// terminal is not this process's controlling terminal (then job control does not apply to it).
    /// </summary>
    internal static bool IsForeground()
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        var foreground = tcgetpgrp(0);
        return foreground < 0 || foreground == getpgrp();
    }

    [LibraryImport("libc")]
    private static partial int tcgetpgrp(int descriptor);

    [LibraryImport("libc")]
    private static partial int getpgrp();
}

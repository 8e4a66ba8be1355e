namespace Kamune.Node.Hosting;

/// <summary>
/// stdin as the node's command source, with the rules that let it run in the background and as a service:
/// <list type="bullet">
/// <item>A terminal is read only while this process is in its foreground process group (<see cref="TerminalLines"/>),
/// so `kamune-node run ... &amp;` is not stopped by the terminal and takes commands once `fg` brings it back.</item>
/// <item>End of input from a terminal (Ctrl+D) is "quit". End of input from anything else (/dev/null under nohup,
/// systemd or a script's `&amp;`, a pipe whose writer is done) is "quit" only for a node that does not listen:
/// one that listens serves on until `/quit` or {"cmd":"quit"}, SIGINT, SIGTERM or SIGHUP.</item>
/// </list>
/// Until then a read does not return; once <paramref name="stopping"/> fires it returns end of input.
/// </summary>
/// <param name="open">stdin when it is not a terminal (Console.In), opened on the reading thread at its first read.</param>
internal sealed class CommandInput(Func<TextReader> open, bool listening, CancellationToken stopping) : TextReader
{
    private readonly bool _terminal = !Console.IsInputRedirected && !OperatingSystem.IsWindows();
    private TextReader? _reader;
    private bool _ended;

    /// <summary>Whether end of input from this kind of stdin means quit (see the class comment).</summary>
    public static bool EndIsQuit(bool terminal, bool listening) => terminal || !listening;

    public override string? ReadLine()
    {
        if (_ended)
        {
            return null;
        }

        _reader ??= _terminal ? new TerminalLines(stopping) : open();
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
}

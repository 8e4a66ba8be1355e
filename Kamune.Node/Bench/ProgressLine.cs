namespace Kamune.Node.Bench;

/// <summary>
/// The bench's progress line on a terminal (stderr), and the one writer of it: every update, from whichever thread
/// (the dials report from the thread pool), is drawn at once under one lock, over the previous one. A line of the
/// report goes through <see cref="WriteLine"/>, which erases the progress line first, so the report never starts
/// in the middle of it; after <see cref="Close"/> the line is erased and a late update draws nothing.
/// </summary>
internal sealed class ProgressLine : IProgress<string>
{
    public const int Width = 70;

    private readonly TextWriter? _terminal;
    private readonly object _gate = new();
    private bool _shown;
    private bool _closed;

    /// <param name="terminal">Where the line is drawn; null when that is not a terminal (a carriage return would only litter a file).</param>
    public ProgressLine(TextWriter? terminal)
    {
        _terminal = terminal;
    }

    public void Report(string value)
    {
        lock (_gate)
        {
            if (_terminal is null || _closed)
            {
                return;
            }

            var text = value.Length > Width ? value[..Width] : value;
            _terminal.Write($"\r{text,-Width}");
            _terminal.Flush();
            _shown = true;
        }
    }

    /// <summary>Writes one line of the report on a line of its own: the progress line is erased first.</summary>
    public void WriteLine(TextWriter output, string line)
    {
        lock (_gate)
        {
            Erase();
            output.WriteLine(line);
            output.Flush();
        }
    }

    /// <summary>Erases the progress line for good: nothing reported from now on is drawn.</summary>
    public void Close()
    {
        lock (_gate)
        {
            Erase();
            _closed = true;
        }
    }

    /// <summary>Progress of one part of the run, each update led by what <paramref name="prefix"/> says at that moment.</summary>
    public static IProgress<string> Prefixed(IProgress<string> progress, Func<string> prefix) => new PrefixedProgress(progress, prefix);

    // Under _gate.
    private void Erase()
    {
        if (_terminal is not null && _shown)
        {
            _terminal.Write($"\r{new string(' ', Width)}\r");
            _terminal.Flush();
            _shown = false;
        }
    }

    private sealed class PrefixedProgress(IProgress<string> progress, Func<string> prefix) : IProgress<string>
    {
        public void Report(string value) => progress.Report(prefix() + value);
    }
}

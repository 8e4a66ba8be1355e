using System.Runtime.InteropServices;
using System.Text;

namespace Kamune.Node.Hosting;

/// <summary>
/// A terminal on stdin as lines, read with read(2) in the terminal's own line mode (the kernel echoes and edits the
/// line; Ctrl+D on an empty line ends input), and only while this process is in the terminal's foreground process
/// group: a background process that reads its terminal is stopped by it (SIGTTIN). A read starts only once poll(2)
/// says a line is there while the node is in the foreground, so `kamune-node run ... &amp;` serves until `fg`, and a
/// node suspended with Ctrl+Z and resumed with `bg` serves on. Not Console.In: .NET's reader puts the terminal in a
/// mode of its own and retries a read that the terminal interrupted, so such a node was stopped again at once.
/// </summary>
internal sealed class TerminalLines(CancellationToken stopping) : TextReader
{
    private const int Descriptor = 0;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private readonly List<byte> _pending = new();
    private readonly byte[] _buffer = new byte[4096];
    private bool _ended;

    /// <summary>
    /// Whether this process may read stdin's terminal: its process group is the terminal's foreground group, or the
    /// terminal is not this process's controlling terminal (then job control does not apply to it).
    /// </summary>
    public static bool IsForeground()
    {
        var foreground = Libc.TcGetPgrp(Descriptor);
        return foreground < 0 || foreground == Libc.GetPgrp();
    }

    /// <summary>The next line without its newline; null at end of input or once stopping.</summary>
    public override string? ReadLine()
    {
        while (true)
        {
            var newline = _pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                return Take(newline, 1);
            }

            if (_ended || stopping.IsCancellationRequested)
            {
                // Ctrl+D after some text sends that text without a newline: it is the last line.
                return _pending.Count > 0 && !stopping.IsCancellationRequested ? Take(_pending.Count, 0) : null;
            }

            if (!IsForeground())
            {
                stopping.WaitHandle.WaitOne(Tick);
                continue;
            }

            if (Libc.Poll(Descriptor, Libc.POLLIN, (int)Tick.TotalMilliseconds) <= 0)
            {
                // Nothing typed yet, or a signal: look at the foreground and at stopping again.
                continue;
            }

            ReadOnce();
        }
    }

    private unsafe void ReadOnce()
    {
        nint read;
        fixed (byte* buffer = _buffer)
        {
            read = Libc.Read(Descriptor, buffer, (nuint)_buffer.Length);
        }

        if (read > 0)
        {
            _pending.AddRange(_buffer.AsSpan(0, (int)read));
            return;
        }

        if (read == 0)
        {
            // Ctrl+D, or the terminal hung up.
            _ended = true;
            return;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is not (Libc.EINTR or Libc.EAGAIN or Libc.EIO))
        {
            throw new IOException($"reading the terminal failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }

        // EIO: sent to the background between poll and read; the foreground check waits for fg.
    }

    private string Take(int length, int skip)
    {
        var line = Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(_pending)[..length]);
        _pending.RemoveRange(0, length + skip);
        return line.TrimEnd('\r');
    }
}

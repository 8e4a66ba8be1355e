using System.Runtime.InteropServices;

namespace Kamune.Node.Hosting;

/// <summary>
/// A write-only stream straight onto a Unix file descriptor with write(2): no position of its own. A FileStream on
/// a regular file keeps its own offset and writes there (pwrite), so with <c>&gt; file</c> it overwrote what the shell
/// or the other standard output wrote to the same open file (<c>{ echo a; kamune-node ...; echo b; } &gt; f</c>,
/// <c>&gt; log 2&gt;&amp;1</c>, nohup, systemd's file output). write(2) goes where the shared file offset is, and a file
/// opened with <c>&gt;&gt;</c> (O_APPEND) is appended to, as with any other program.
/// </summary>
internal sealed class DescriptorStream : Stream
{
    private readonly int _descriptor;

    public DescriptorStream(int descriptor)
    {
        _descriptor = descriptor;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>All of <paramref name="buffer"/>, in as many write(2) calls as the descriptor takes; blocks while a pipe is full.</summary>
    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            var done = 0;
            while (done < buffer.Length)
            {
                var written = Libc.Write(_descriptor, start + done, (nuint)(buffer.Length - done));
                if (written >= 0)
                {
                    done += (int)written;
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                if (errno == Libc.EAGAIN)
                {
                    // Somebody made the shared descriptor non-blocking: wait until it takes bytes again.
                    _ = Libc.Poll(_descriptor, Libc.POLLOUT, 1000);
                    continue;
                }

                // EPIPE (the reader went away), EBADF (closed), ENOSPC...: the caller treats the output as closed.
                throw new IOException($"write to file descriptor {_descriptor} failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
            }
        }
    }

    public override void Flush()
    {
        // Nothing is buffered here.
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

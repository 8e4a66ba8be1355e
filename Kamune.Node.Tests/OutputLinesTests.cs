using System.Text;
using Kamune.Node.Hosting;
using Serilog;
using Serilog.Formatting.Display;

namespace Kamune.Node.Tests;

/// <summary>
/// The node's stdout writer: lines in order, back-pressure once a megabyte waits, nothing waits once the node is
/// stopping, and a reader that went away costs no exception and no wait.
/// </summary>
public sealed class OutputLinesTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void Lines_come_out_in_order_each_with_its_newline()
    {
        var stream = new GatedStream(open: true);
        using (var lines = new OutputLines(stream, Bound))
        {
            for (var i = 0; i < 500; i++)
            {
                lines.Write(Encoding.UTF8.GetBytes($"line {i} ünïcödé"));
            }
        }

        var expected = string.Concat(Enumerable.Range(0, 500).Select(i => $"line {i} ünïcödé\n"));
        Assert.Equal(expected, Encoding.UTF8.GetString(stream.Written));
    }

    [Fact]
    public async Task A_blocked_stdout_makes_writers_wait_once_full_and_stopping_lets_them_go_with_the_line_dropped()
    {
        var stream = new GatedStream(open: false);
        var lines = new OutputLines(stream, TimeSpan.FromSeconds(1));
        lines.Write("first"u8.ToArray());
        var big = new byte[OutputLines.MaxQueuedBytes * 6 / 10];
        lines.Write(big);

        // A second big line does not fit beside the first while stdout does not move: the writer waits.
        var waiting = Task.Run(() => lines.Write(big));
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "expected Write to wait for room while stdout is blocked");

        lines.StopWaiting();
        await waiting.WaitAsync(Bound);
        Assert.Equal(1, lines.Dropped);

        // Stopping: nothing waits, what does not fit is dropped and counted.
        var late = Task.Run(() => lines.Write(big));
        await late.WaitAsync(Bound);
        Assert.Equal(2, lines.Dropped);

        stream.Open();
        lines.Dispose();
        Assert.Equal(5 + 1 + big.Length + 1, stream.Written.Length);
    }

    [Fact]
    public void Dispose_gives_up_on_a_stdout_that_never_moves_after_its_drain_timeout()
    {
        var stream = new GatedStream(open: false);
        var lines = new OutputLines(stream, TimeSpan.FromMilliseconds(200));
        lines.Write("never read"u8.ToArray());

        // Returns (after the drain timeout) although the write underneath never does.
        lines.Dispose();
        Assert.Empty(stream.Written);
        stream.Open();
    }

    [Fact]
    public void A_reader_that_went_away_costs_no_exception_and_no_wait()
    {
        var stream = new ClosedPipeStream();
        using var lines = new OutputLines(stream, Bound);
        for (var i = 0; i < 100; i++)
        {
            // Well over the queue's room in total: every write must return although nothing can be written.
            lines.Write(new byte[100_000]);
        }

        Assert.Equal(0, lines.Dropped);
    }

    [Fact]
    public async Task The_stderr_sink_never_makes_a_logging_thread_wait_and_what_it_writes_is_whole_lines_in_order()
    {
        var stream = new GatedStream(open: false);
        var logger = new LoggerConfiguration()
            .WriteTo.Sink(new NodeLogging.StderrSink(new MessageTemplateTextFormatter("{Message:lj}{NewLine}"), stream))
            .CreateLogger();

        // 20,000 lines of about 100 bytes, twice what may wait, while stderr never moves: every call must return.
        var padding = new string('x', 80);
        await Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                logger.Warning("refusing connection {Number} {Padding}", i, padding);
            }
        }).WaitAsync(Bound);

        stream.Open();
        logger.Dispose();
        var lines = Encoding.UTF8.GetString(stream.Written).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 1, 19_999);
        for (var i = 0; i < lines.Length; i++)
        {
            Assert.Equal($"refusing connection {i} {padding}", lines[i]);
        }
    }

    [Fact]
    public void Every_write_is_of_whole_lines_so_the_other_output_sharing_the_file_never_lands_inside_one()
    {
        var stream = new RecordingStream();
        var lines = new OutputLines(stream, Bound);
        stream.Gate.Reset();
        lines.Write("first"u8.ToArray());
        var line = Encoding.ASCII.GetBytes(new string('x', 99));
        for (var i = 0; i < 3_000; i++)
        {
            // 300 KB wait behind the first write: they go out in the next writes, joined.
            lines.Write(line);
        }

        var huge = new byte[100_000];
        lines.Write(huge);
        stream.Gate.Set();
        lines.Dispose();

        Assert.Equal(5 + 1 + (3_000 * 100) + huge.Length + 1, stream.Writes.Sum(w => w.Length));
        Assert.All(stream.Writes, w => Assert.Equal((byte)'\n', w[^1]));
        Assert.All(stream.Writes.Where(w => w.Length != huge.Length + 1), w => Assert.InRange(w.Length, 1, 64 * 1024));
        // 300 KB take at least five writes of at most 64 KiB, and the long line one of its own.
        Assert.True(stream.Writes.Count >= 6, $"expected at least 6 writes, got {stream.Writes.Count}");
    }

    /// <summary>Keeps every write apart; <see cref="Gate"/> holds them while reset, as a full pipe would.</summary>
    private sealed class RecordingStream : WriteOnlyStream
    {
        public ManualResetEventSlim Gate { get; } = new(true);

        public List<byte[]> Writes { get; } = new();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Gate.Wait(TimeSpan.FromSeconds(30));
            Writes.Add(buffer.AsSpan(offset, count).ToArray());
        }
    }

    /// <summary>Stands for a pipe: writes block while closed (bounded, so a failed test cannot hang the run).</summary>
    private sealed class GatedStream(bool open) : WriteOnlyStream
    {
        private readonly ManualResetEventSlim _open = new(open);
        private readonly MemoryStream _written = new();

        public byte[] Written
        {
            get
            {
                lock (_written)
                {
                    return _written.ToArray();
                }
            }
        }

        public void Open() => _open.Set();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _open.Wait(TimeSpan.FromSeconds(30));
            lock (_written)
            {
                _written.Write(buffer, offset, count);
            }
        }
    }

    /// <summary>Stands for a pipe whose reader exited: every write fails with EPIPE's IOException.</summary>
    private sealed class ClosedPipeStream : WriteOnlyStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("Broken pipe");
    }

    /// <summary>What stdout is to the writer: a stream it can only write to.</summary>
    private abstract class WriteOnlyStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

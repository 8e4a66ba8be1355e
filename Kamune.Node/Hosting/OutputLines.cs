using System.Buffers;
using Serilog;

namespace Kamune.Node.Hosting;

/// <summary>
/// One of the node's standard outputs, written by a thread of its own. A reader that stops reading (a full pipe)
/// blocks that thread, not the caller, until <see cref="MaxQueuedBytes"/> wait; then <see cref="Write"/> waits for
/// room. For stdout that is the node's back-pressure (the hub stops acknowledging deliveries, so the sessions stop
/// reading their sockets). Once the node is stopping (<see cref="StopWaiting"/>; for stderr, from the start) nothing
/// waits any more: a line that finds no room is dropped, so an output that nobody reads cannot hold a Ctrl+C, a
/// SIGTERM or a logging thread. Lines come out in the order they were written.
/// </summary>
internal sealed class OutputLines : IDisposable
{
    /// <summary>Bytes of lines that may wait for stdout; one line longer than this still goes, alone.</summary>
    public const int MaxQueuedBytes = 1024 * 1024;

    // Lines are joined into writes of up to this many bytes, each of whole lines: the other standard output may share
    // the open file (2>&1), and a write cut inside a line would let its lines land in the middle of one of ours.
    private const int ChunkBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly TimeSpan _drainTimeout;
    private readonly string _name;
    private readonly ILogger _log;
    private readonly Queue<byte[]> _lines = new();
    private readonly ArrayBufferWriter<byte> _chunk = new(ChunkBytes);
    private readonly object _gate = new();
    private readonly Thread _writer;
    private long _queuedBytes;
    private int _dropped;
    private bool _stopping;
    private bool _completed;
    private volatile bool _closed;

    /// <param name="stream">Written without a buffer of its own: lines that wait are joined into few writes of whole lines here.</param>
    /// <param name="drainTimeout">How long <see cref="Dispose"/> waits for the lines still queued to be written.</param>
    /// <param name="name">"stdout" or "stderr": the writer thread's name and what the reports below call it.</param>
    /// <param name="log">Where a closed output and dropped lines are reported; stderr's own lines have nowhere to go.</param>
    public OutputLines(Stream stream, TimeSpan drainTimeout, string name = "stdout", ILogger? log = null)
    {
        _stream = stream ?? throw new ArgumentNullException(nameof(stream));
        _drainTimeout = drainTimeout;
        _name = name;
        _log = log ?? Serilog.Core.Logger.None;
        _writer = new Thread(WriteLines) { IsBackground = true, Name = $"kamune-{name}" };
        _writer.Start();
    }

    /// <summary>The process's stdout (see <see cref="OpenStandard"/>).</summary>
    public static Stream OpenStandardOutput() => OpenStandard(1, Console.OpenStandardOutput);

    /// <summary>The process's stderr (see <see cref="OpenStandard"/>).</summary>
    public static Stream OpenStandardError() => OpenStandard(2, Console.OpenStandardError);

    /// <summary>
    /// A standard output written with write(2) on its descriptor (<see cref="DescriptorStream"/>): at the shared file
    /// offset, so a file the shell opened for several programs (or for stdout and stderr both) keeps every line. Not
    /// Console's own stream: on Unix each of its writes holds a lock that the other standard output's writes take too,
    /// so a blocked stdout would also block every log line.
    /// </summary>
    private static Stream OpenStandard(int descriptor, Func<Stream> console) =>
        OperatingSystem.IsWindows() ? console() : new DescriptorStream(descriptor);

    /// <summary>Lines dropped because nothing was to wait any more and nobody read them.</summary>
    public int Dropped
    {
        get
        {
            lock (_gate)
            {
                return _dropped;
            }
        }
    }

    /// <summary>Queues one line (UTF-8, without its newline); waits while the queue is full, until <see cref="StopWaiting"/>.</summary>
    public void Write(byte[] line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lock (_gate)
        {
            while (!_stopping && Full(line.Length))
            {
                Monitor.Wait(_gate);
            }

            if (_completed || _closed || Full(line.Length))
            {
                _dropped += _closed ? 0 : 1;
                return;
            }

            _lines.Enqueue(line);
            _queuedBytes += line.Length;
            Monitor.PulseAll(_gate);
        }
    }

    // Under _gate. An empty queue takes any line, so one longer than the limit still goes, alone.
    private bool Full(int length) => _lines.Count > 0 && _queuedBytes + length > MaxQueuedBytes;

    /// <summary>From now on <see cref="Write"/> never waits, and a writer waiting for room is let go.</summary>
    public void StopWaiting()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Writes what is queued, for at most the drain timeout, and reports what was lost.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            _completed = true;
            Monitor.PulseAll(_gate);
        }

        _writer.Join(_drainTimeout);
        int dropped;
        lock (_gate)
        {
            dropped = _dropped + (_closed ? 0 : _lines.Count);
        }

        if (dropped > 0)
        {
            _log.Warning("{Output} was not read: {Dropped} output lines were dropped", _name, dropped);
        }
    }

    private void WriteLines()
    {
        var batch = new List<byte[]>();
        while (true)
        {
            lock (_gate)
            {
                while (_lines.Count == 0 && !_completed)
                {
                    Monitor.Wait(_gate);
                }

                if (_lines.Count == 0)
                {
                    return;
                }

                // Everything waiting goes in one pass; the room is given back once it is written.
                batch.AddRange(_lines);
            }

            foreach (var line in batch)
            {
                if (_chunk.WrittenCount > 0 && _chunk.WrittenCount + line.Length + 1 > ChunkBytes)
                {
                    WriteChunk();
                }

                _chunk.Write(line);
                _chunk.Write("\n"u8);
            }

            WriteChunk();
            lock (_gate)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    _queuedBytes -= _lines.Dequeue().Length;
                }

                Monitor.PulseAll(_gate);
            }

            batch.Clear();
        }
    }

    // One write of whole lines; a line longer than a chunk goes alone.
    private void WriteChunk()
    {
        try
        {
            if (!_closed && _chunk.WrittenCount > 0)
            {
                _stream.Write(_chunk.WrittenSpan);
                _stream.Flush();
            }
        }
        catch (Exception e)
        {
            Closed(e);
        }
        finally
        {
            _chunk.ResetWrittenCount();
        }
    }

    // Most often the reading program went away (a closed pipe). Whatever it was, thrown on this thread it would end the
    // process: instead lines have nowhere to go from now on, and the node still stops cleanly.
    private void Closed(Exception e)
    {
        _closed = true;
        _log.Debug("{Output} closed: {Reason}", _name, e.Message);
    }
}

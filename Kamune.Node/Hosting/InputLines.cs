using System.Threading.Channels;

namespace Kamune.Node.Hosting;

/// <summary>
/// Lines from a reader (stdin) on a background thread, so the node can stop waiting for input when a signal
/// arrives: a blocking console read cannot be cancelled, a channel read can.
/// </summary>
internal sealed class InputLines
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(64);

    public InputLines(TextReader reader)
    {
        // A thread of its own: Console.In reads synchronously even through ReadLineAsync, so a thread-pool thread
        // would stay blocked for the node's whole life, one of the two the pool starts with on a 2-core machine
        // (docs/reliability.md, finding 4).
        new Thread(() => Pump(reader)) { IsBackground = true, Name = "kamune-stdin" }.Start();
    }

    /// <summary>The next line; null at end of input or once <paramref name="cancellation"/> fires.</summary>
    public async Task<string?> ReadAsync(CancellationToken cancellation)
    {
        try
        {
            return await _lines.Reader.ReadAsync(cancellation).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private void Pump(TextReader reader)
    {
        try
        {
            while (reader.ReadLine() is { } line)
            {
                // Waits (on this thread only) while the command loop is 64 lines behind.
                _lines.Writer.WriteAsync(line).AsTask().GetAwaiter().GetResult();
            }
        }
        catch (IOException e)
        {
            Serilog.Log.Debug("stdin closed: {Reason}", e.Message);
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }
}

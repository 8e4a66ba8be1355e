using System.Threading.Channels;

namespace Kamune.Node.Hosting;

/// <summary>
/// Lines from a reader (stdin) on a background task, so the node can stop waiting for input when a signal
/// arrives: a blocking console read cannot be cancelled, a channel read can.
/// </summary>
internal sealed class InputLines
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(64);

    public InputLines(TextReader reader)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    await _lines.Writer.WriteAsync(line).ConfigureAwait(false);
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
        });
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
}

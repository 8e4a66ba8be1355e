using System.Text.Json;
using Kamune.Node.Hosting;

namespace Kamune.Node.Json;

/// <summary>--json events: one compact JSON object and a newline per event, flushed at once so a reading program sees it.</summary>
internal sealed class JsonLineOutput : INodeOutput, IDisposable
{
    private readonly Stream _stream;
    private readonly Utf8JsonWriter _writer;
    private readonly object _gate = new();

    public JsonLineOutput(Stream stream)
    {
        _stream = stream;
        _writer = new Utf8JsonWriter(stream, JsonProtocol.WriterOptions);
    }

    public void Emit(NodeEvent nodeEvent)
    {
        lock (_gate)
        {
            try
            {
                _writer.Reset(_stream);
                JsonProtocol.Write(_writer, nodeEvent);
                _writer.Flush();
                _stream.WriteByte((byte)'\n');
                _stream.Flush();
            }
            catch (IOException e)
            {
                // The reading program went away (closed pipe); events have nowhere to go, the node still shuts down cleanly.
                Serilog.Log.Debug("stdout closed: {Reason}", e.Message);
            }
        }
    }

    public void Dispose() => _writer.Dispose();
}

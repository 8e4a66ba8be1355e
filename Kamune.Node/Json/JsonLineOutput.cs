using System.Buffers;
using System.Text.Json;
using Kamune.Node.Hosting;

namespace Kamune.Node.Json;

/// <summary>
/// --json events: one compact JSON object and a newline per event, handed to <see cref="OutputLines"/>, which writes
/// them to stdout as soon as it can (a reading program sees each at once) without the hub waiting on the pipe.
/// </summary>
internal sealed class JsonLineOutput : INodeOutput
{
    private readonly OutputLines _lines;
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;
    private readonly object _gate = new();

    public JsonLineOutput(OutputLines lines)
    {
        _lines = lines;
        _writer = new Utf8JsonWriter(_buffer, JsonProtocol.WriterOptions);
    }

    public void Emit(NodeEvent nodeEvent)
    {
        byte[] line;
        lock (_gate)
        {
            // Reused: the hub and the command loop both emit, one event at a time.
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            JsonProtocol.Write(_writer, nodeEvent);
            _writer.Flush();
            line = _buffer.WrittenSpan.ToArray();
        }

        _lines.Write(line);
    }
}

using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Kamune.Node.Json;

/// <summary>What a peer told us about itself: its announced name, its verified key and where it is.</summary>
public sealed record PeerInfo(string Name, PublicIdentity Identity, string Address)
{
    /// <summary>Base64url SHA-256 of the PKIX key: what `kamune-node identity show` prints as "name".</summary>
    public string Fingerprint => Identity.Fingerprint.Base64;

    /// <summary>Standard base64 of the 44-byte PKIX public key.</summary>
    public string PublicKeyBase64 => Convert.ToBase64String(Identity.Pkix.Span);
}

/// <summary>The node's events, one JSON object per line on stdout in --json mode (README "Scripting with --json").</summary>
public abstract record NodeEvent
{
    private NodeEvent()
    {
    }

    public sealed record Listening(string Address) : NodeEvent;

    public sealed record SessionEstablished(int Session, string SessionId, PeerInfo Peer, string Role) : NodeEvent;

    public sealed record MessageReceived(int Session, ulong Sequence, ReadOnlyMemory<byte> Data) : NodeEvent;

    public sealed record Sent(int Session, ulong Sequence) : NodeEvent;

    public sealed record SessionClosed(int Session, string Reason, string Detail) : NodeEvent;

    public sealed record Error(string Message, int? Session = null, string? Address = null) : NodeEvent;
}

/// <summary>Commands read from stdin in --json mode, one JSON object per line.</summary>
public abstract record NodeCommand
{
    private NodeCommand()
    {
    }

    public sealed record Dial(string Address) : NodeCommand;

    public sealed record Send(int Session, byte[] Data) : NodeCommand;

    public sealed record Close(int Session) : NodeCommand;

    public sealed record Quit : NodeCommand;
}

/// <summary>
/// The --json line protocol. Events are written with Utf8JsonWriter (no reflection, no per-type metadata);
/// commands are read with JsonDocument. Binary data is standard base64 in both directions.
/// </summary>
public static class JsonProtocol
{
    // Relaxed escaping keeps base64 '+' and non-ASCII names readable; the output is a JSON line, never HTML.
    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The UTF-8 bytes of one event line, without the newline.</summary>
    public static byte[] Encode(NodeEvent nodeEvent)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, nodeEvent);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string EncodeToString(NodeEvent nodeEvent) => Encoding.UTF8.GetString(Encode(nodeEvent));

    public static void Write(Utf8JsonWriter writer, NodeEvent nodeEvent)
    {
        writer.WriteStartObject();
        switch (nodeEvent)
        {
            case NodeEvent.Listening e:
                writer.WriteString("event", "listening");
                writer.WriteString("address", e.Address);
                break;
            case NodeEvent.SessionEstablished e:
                writer.WriteString("event", "session_established");
                writer.WriteNumber("session", e.Session);
                writer.WriteString("session_id", e.SessionId);
                writer.WriteStartObject("peer");
                writer.WriteString("name", e.Peer.Name);
                writer.WriteString("fingerprint", e.Peer.Fingerprint);
                writer.WriteString("public_key", e.Peer.PublicKeyBase64);
                writer.WriteString("address", e.Peer.Address);
                writer.WriteEndObject();
                writer.WriteString("role", e.Role);
                break;
            case NodeEvent.MessageReceived e:
                writer.WriteString("event", "message_received");
                writer.WriteNumber("session", e.Session);
                writer.WriteNumber("sequence", e.Sequence);
                writer.WriteBase64String("data", e.Data.Span);
                break;
            case NodeEvent.Sent e:
                writer.WriteString("event", "sent");
                writer.WriteNumber("session", e.Session);
                writer.WriteNumber("sequence", e.Sequence);
                break;
            case NodeEvent.SessionClosed e:
                writer.WriteString("event", "session_closed");
                writer.WriteNumber("session", e.Session);
                writer.WriteString("reason", e.Reason);
                writer.WriteString("detail", e.Detail);
                break;
            case NodeEvent.Error e:
                writer.WriteString("event", "error");
                writer.WriteString("message", e.Message);
                if (e.Session is { } session)
                {
                    writer.WriteNumber("session", session);
                }

                if (e.Address is { } address)
                {
                    writer.WriteString("address", address);
                }

                break;
            default:
                throw new ArgumentException($"Event: expected a known NodeEvent, got {nodeEvent.GetType().Name}.", nameof(nodeEvent));
        }

        writer.WriteEndObject();
    }

    /// <summary>Parses one command line; false with a reason for anything malformed (the node reports it and reads on).</summary>
    public static bool TryParseCommand(string line, out NodeCommand? command, out string error)
    {
        command = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            error = $"expected a JSON object, got invalid JSON ({e.Message})";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"expected a JSON object, got {root.ValueKind}";
                return false;
            }

            if (!root.TryGetProperty("cmd", out var cmd) || cmd.ValueKind != JsonValueKind.String)
            {
                error = "expected a string \"cmd\" field (dial, send, close or quit)";
                return false;
            }

            switch (cmd.GetString())
            {
                case "dial":
                    if (!TryString(root, "address", out var address, out error))
                    {
                        return false;
                    }

                    command = new NodeCommand.Dial(address);
                    return true;
                case "send":
                    if (!TrySession(root, out var session, out error))
                    {
                        return false;
                    }

                    if (!TryString(root, "data", out var data, out error))
                    {
                        return false;
                    }

                    byte[] bytes;
                    try
                    {
                        bytes = Convert.FromBase64String(data);
                    }
                    catch (FormatException)
                    {
                        error = "send: expected \"data\" as standard base64, got text that does not decode";
                        return false;
                    }

                    command = new NodeCommand.Send(session, bytes);
                    return true;
                case "close":
                    if (!TrySession(root, out var closing, out error))
                    {
                        return false;
                    }

                    command = new NodeCommand.Close(closing);
                    return true;
                case "quit":
                    command = new NodeCommand.Quit();
                    error = string.Empty;
                    return true;
                default:
                    error = $"expected \"cmd\" to be dial, send, close or quit, got \"{cmd.GetString()}\"";
                    return false;
            }
        }
    }

    private static bool TryString(JsonElement root, string name, out string value, out string error)
    {
        if (root.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String)
        {
            value = element.GetString()!;
            error = string.Empty;
            return true;
        }

        value = string.Empty;
        error = $"expected a string \"{name}\" field, got {(root.TryGetProperty(name, out var other) ? other.ValueKind.ToString().ToLowerInvariant() : "none")}";
        return false;
    }

    private static bool TrySession(JsonElement root, out int session, out string error)
    {
        if (root.TryGetProperty("session", out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out session) && session > 0)
        {
            error = string.Empty;
            return true;
        }

        session = 0;
        error = "expected a positive integer \"session\" field (the number from session_established)";
        return false;
    }
}

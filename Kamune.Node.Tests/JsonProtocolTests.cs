using System.Text.Json;
using Kamune.Node.Json;

namespace Kamune.Node.Tests;

public sealed class JsonProtocolTests
{
    [Fact]
    public void Session_established_carries_the_peer_name_fingerprint_key_and_role()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(11));
        var line = JsonProtocol.EncodeToString(new NodeEvent.SessionEstablished(
            2, "ABCDEFGHIJKLMNOPQRSTUVWX", new PeerInfo("bob", key.PublicIdentity, "127.0.0.1:7411"), "initiator"));

        var root = JsonDocument.Parse(line).RootElement;

        Assert.Equal("session_established", root.GetProperty("event").GetString());
        Assert.Equal(2, root.GetProperty("session").GetInt32());
        Assert.Equal("bob", root.GetProperty("peer").GetProperty("name").GetString());
        Assert.Equal(key.PublicIdentity.Fingerprint.Base64, root.GetProperty("peer").GetProperty("fingerprint").GetString());
        Assert.Equal(key.PublicIdentity.Pkix.ToArray(), root.GetProperty("peer").GetProperty("public_key").GetBytesFromBase64());
        Assert.Equal("initiator", root.GetProperty("role").GetString());
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void Message_received_data_is_standard_base64_of_the_bytes()
    {
        byte[] data = [0, 0xfb, 0xff, 0x3e, (byte)'\n'];

        var root = JsonDocument.Parse(JsonProtocol.Encode(new NodeEvent.MessageReceived(1, 7, data))).RootElement;

        Assert.Equal("message_received", root.GetProperty("event").GetString());
        Assert.Equal(7UL, root.GetProperty("sequence").GetUInt64());
        Assert.Equal(Convert.ToBase64String(data), root.GetProperty("data").GetString());
    }

    [Fact]
    public void Peer_text_with_quotes_and_control_characters_stays_one_valid_json_line()
    {
        var line = JsonProtocol.EncodeToString(new NodeEvent.Error("bad \"name\"\n\u001b[2J", 3, "[::1]:1"));

        var root = JsonDocument.Parse(line).RootElement;

        Assert.DoesNotContain('\n', line);
        Assert.Equal("bad \"name\"\n\u001b[2J", root.GetProperty("message").GetString());
        Assert.Equal(3, root.GetProperty("session").GetInt32());
    }

    [Theory]
    [InlineData("{\"cmd\":\"dial\",\"address\":\"127.0.0.1:7411\"}")]
    [InlineData("{\"cmd\":\"send\",\"session\":4,\"data\":\"aGk=\"}")]
    [InlineData("{\"cmd\":\"close\",\"session\":4}")]
    [InlineData("{\"cmd\":\"quit\"}")]
    public void Well_formed_commands_parse(string line)
    {
        Assert.True(JsonProtocol.TryParseCommand(line, out var command, out var error), error);
        Assert.NotNull(command);
    }

    [Fact]
    public void Send_command_decodes_its_base64_data()
    {
        JsonProtocol.TryParseCommand("{\"cmd\":\"send\",\"session\":4,\"data\":\"aGk=\"}", out var command, out _);

        var send = Assert.IsType<NodeCommand.Send>(command);
        Assert.Equal(4, send.Session);
        Assert.Equal("hi"u8.ToArray(), send.Data);
    }

    [Theory]
    [InlineData("not json", "invalid JSON")]
    [InlineData("[1,2]", "expected a JSON object, got Array")]
    [InlineData("{\"address\":\"x:1\"}", "\"cmd\" field")]
    [InlineData("{\"cmd\":\"jump\"}", "got \"jump\"")]
    [InlineData("{\"cmd\":\"dial\"}", "\"address\" field, got none")]
    [InlineData("{\"cmd\":\"send\",\"session\":\"1\",\"data\":\"aGk=\"}", "positive integer \"session\"")]
    [InlineData("{\"cmd\":\"send\",\"session\":0,\"data\":\"aGk=\"}", "positive integer \"session\"")]
    [InlineData("{\"cmd\":\"send\",\"session\":1,\"data\":\"%%%\"}", "standard base64")]
    [InlineData("{\"cmd\":\"send\",\"session\":1}", "\"data\" field")]
    [InlineData("{\"cmd\":\"close\"}", "\"session\" field")]
    public void Malformed_commands_are_refused_with_the_reason(string line, string expected)
    {
        Assert.False(JsonProtocol.TryParseCommand(line, out var command, out var error));
        Assert.Null(command);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}

using System.Text;
using System.Text.Json;

namespace Kamune.Node.Tests;

/// <summary>
/// Two real `kamune-node run --json` processes on loopback, driven through stdin and stdout only, as a script
/// would drive them.
/// </summary>
public sealed class RunJsonProcessTests : IDisposable
{
    private readonly TempHome _temp = new();

    [Fact]
    public async Task Two_nodes_exchange_messages_and_sigterm_closes_gracefully_so_the_peer_sees_peer_closed()
    {
        await using var listener = await StartNode("listener", "--listen", "127.0.0.1:0");
        var address = (await listener.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
        await using var dialer = await StartNode("dialer", "--dial", address);

        var dialerUp = await dialer.WaitForEventAsync("session_established");
        var listenerUp = await listener.WaitForEventAsync("session_established");
        Assert.Equal("initiator", dialerUp.GetProperty("role").GetString());
        Assert.Equal("responder", listenerUp.GetProperty("role").GetString());
        Assert.Equal(dialerUp.GetProperty("session_id").GetString(), listenerUp.GetProperty("session_id").GetString());
        Assert.Equal(Fingerprint(listener), dialerUp.GetProperty("peer").GetProperty("fingerprint").GetString());
        Assert.Equal(Fingerprint(dialer), listenerUp.GetProperty("peer").GetProperty("fingerprint").GetString());

        await Send(dialer, dialerUp, "ping from dialer");
        var sent = await dialer.WaitForEventAsync("sent");
        var atListener = await listener.WaitForEventAsync("message_received");
        await Send(listener, listenerUp, "pong from listener");
        var atDialer = await dialer.WaitForEventAsync("message_received");

        Assert.Equal(3UL, sent.GetProperty("sequence").GetUInt64());
        Assert.Equal(3UL, atListener.GetProperty("sequence").GetUInt64());
        Assert.Equal("ping from dialer", Data(atListener));
        Assert.Equal("pong from listener", Data(atDialer));

        listener.Signal(NodeProcess.SigTerm);

        var closed = await dialer.WaitForEventAsync("session_closed");
        Assert.Equal("peer_closed", closed.GetProperty("reason").GetString());
        Assert.Equal(0, await listener.WaitForExitAsync());
        dialer.CloseStdin();
        Assert.Equal(0, await dialer.WaitForExitAsync());
    }

    [Fact]
    public async Task End_of_stdin_closes_every_session_gracefully_before_exit()
    {
        await using var listener = await StartNode("listener", "--listen", "127.0.0.1:0");
        var address = (await listener.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
        await using var dialer = await StartNode("dialer", "--dial", address);
        await dialer.WaitForEventAsync("session_established");
        await listener.WaitForEventAsync("session_established");

        dialer.CloseStdin();

        var local = await dialer.WaitForEventAsync("session_closed");
        var remote = await listener.WaitForEventAsync("session_closed");
        Assert.Equal("local_close", local.GetProperty("reason").GetString());
        Assert.Equal("peer_closed", remote.GetProperty("reason").GetString());
        Assert.Equal(0, await dialer.WaitForExitAsync());
    }

    [Fact]
    public async Task Echo_node_sends_every_message_back_and_bad_commands_are_reported_without_stopping()
    {
        await using var echo = await StartNode("echo", "--listen", "127.0.0.1:0", "--echo");
        var address = (await echo.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
        await using var client = await StartNode("client");

        await client.WriteLineAsync("this is not json");
        var error = await client.WaitForEventAsync("error");
        await client.WriteLineAsync(JsonSerializer.Serialize(new { cmd = "dial", address }));
        var up = await client.WaitForEventAsync("session_established");
        await Send(client, up, "echo me");
        var back = await client.WaitForEventAsync("message_received");

        Assert.Contains("invalid JSON", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("echo me", Data(back));
        await client.WriteLineAsync("{\"cmd\":\"quit\"}");
        Assert.Equal(0, await client.WaitForExitAsync());
    }

    [Fact]
    public async Task Tofu_refuses_a_known_name_that_presents_a_different_key()
    {
        await using (var first = await StartNode("first", "--listen", "127.0.0.1:0", "--name", "carol"))
        {
            var address = (await first.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
            await using var dialer = await StartNode("dialer", "--dial", address);
            await dialer.WaitForEventAsync("session_established");
            dialer.CloseStdin();
            await dialer.WaitForExitAsync();
        }

        // Another identity announcing the same name: the dialer's known_peers pins "carol" to the first key.
        await using var impostor = await StartNode("impostor", "--listen", "127.0.0.1:0", "--name", "carol");
        var impostorAddress = (await impostor.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
        var refused = await NodeProcess.RunAsync(
            ["run", "--json", "--home", _temp.Sub("dialer"), "--dial", impostorAddress], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("name \"carol\" is known with key", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dialing_an_unreachable_address_is_one_error_line_and_exit_code_1()
    {
        var home = _temp.Sub("lonely");
        await NodeProcess.RunAsync(["identity", "new", "--home", home]);

        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        var result = await NodeProcess.RunAsync(["run", "--home", home, "--dial", "127.0.0.1:1"], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("kamune-node: error: cannot connect to 127.0.0.1:1", Assert.Single(lines), StringComparison.Ordinal);
    }

    private async Task<NodeProcess> StartNode(string name, params string[] arguments)
    {
        var home = _temp.Sub(name);
        if (!File.Exists(Path.Combine(home, "identity.pem")))
        {
            var created = await NodeProcess.RunAsync(["identity", "new", "--home", home]);
            Assert.Equal(0, created.ExitCode);
        }

        _fingerprints[name] = (await NodeProcess.RunAsync(["identity", "show", "--home", home])).Stdout
            .Split('\n').Single(l => l.TrimStart().StartsWith("name ", StringComparison.Ordinal)).Trim()["name".Length..].Trim();
        var node = NodeProcess.Start(["run", "--json", "--home", home, .. arguments]);
        _names[node] = name;
        return node;
    }

    private readonly Dictionary<string, string> _fingerprints = new();
    private readonly Dictionary<NodeProcess, string> _names = new();

    private string Fingerprint(NodeProcess node) => _fingerprints[_names[node]];

    private static Task Send(NodeProcess node, JsonElement established, string text) =>
        node.WriteLineAsync(JsonSerializer.Serialize(new
        {
            cmd = "send",
            session = established.GetProperty("session").GetInt32(),
            data = Convert.ToBase64String(Encoding.UTF8.GetBytes(text)),
        }));

    private static string Data(JsonElement received) => Encoding.UTF8.GetString(received.GetProperty("data").GetBytesFromBase64());

    public void Dispose() => _temp.Dispose();
}

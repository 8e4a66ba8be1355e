using System.Text;
using System.Text.Json;

namespace Kamune.Node.Tests;

/// <summary>
/// Issue 14 item 4, from outside: a script (or a person pasting lines) writes far more sends at once than a session's
/// send window into a real kamune-node's stdin. The node takes each command only when it can handle it (stdin is read
/// no further meanwhile), so none is refused for back-pressure and the peer receives every message, in order, then
/// the close that was written after them.
/// </summary>
public sealed class ScriptFlowControlProcessTests : IDisposable
{
    private const int Messages = 1500;

    private readonly TempHome _temp = new();

    [Fact]
    public async Task Sends_written_at_once_into_json_stdin_are_all_delivered_in_order_and_none_is_refused()
    {
        await using var listener = await StartAsync("listener", "--json", "--listen", "127.0.0.1:0");
        var address = (await listener.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
        await using var dialer = await StartAsync("dialer", "--json", "--dial", address);
        var session = (await dialer.WaitForEventAsync("session_established")).GetProperty("session").GetInt32();
        await listener.WaitForEventAsync("session_established");

        var script = new StringBuilder();
        for (var i = 0; i < Messages; i++)
        {
            script.Append(JsonSerializer.Serialize(new { cmd = "send", session, data = Convert.ToBase64String(Payload(i)) })).Append('\n');
        }

        script.Append(JsonSerializer.Serialize(new { cmd = "close", session }));
        await dialer.WriteLineAsync(script.ToString());

        await ExpectAllInOrderThenPeerClosed(listener);
        var sent = 0;
        while (sent < Messages)
        {
            var line = await dialer.ReadLineAsync() ?? throw new InvalidOperationException($"dialer stdout ended after {sent} sent; stderr: {dialer.Stderr}");
            var element = JsonDocument.Parse(line).RootElement;
            var kind = element.GetProperty("event").GetString();
            Assert.True(kind != "error", $"the dialer reported an error after {sent} sends: {line}");
            sent += kind == "sent" ? 1 : 0;
        }

        Assert.Equal("local_close", (await dialer.WaitForEventAsync("session_closed")).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Lines_typed_into_the_console_at_once_are_all_delivered_in_order()
    {
        await using var listener = await StartAsync("listener", "--json", "--listen", "127.0.0.1:0");
        var address = (await listener.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
        await using var console = await StartAsync("console", "--dial", address);
        await listener.WaitForEventAsync("session_established");

        var typed = new StringBuilder();
        for (var i = 0; i < Messages; i++)
        {
            typed.Append(Encoding.UTF8.GetString(Payload(i))).Append('\n');
        }

        typed.Append("/close");
        await console.WriteLineAsync(typed.ToString());

        await ExpectAllInOrderThenPeerClosed(listener);
        Assert.DoesNotContain("refused", console.StdoutSoFar, StringComparison.OrdinalIgnoreCase);
    }

    // Text payloads (so the console can type them), 1,000 bytes each: large enough that the session's send window
    // (64 frames) fills long before the script's writes end.
    private static byte[] Payload(int index) => Encoding.UTF8.GetBytes($"message {index:D5} ".PadRight(1000, 'x'));

    private static async Task ExpectAllInOrderThenPeerClosed(NodeProcess listener)
    {
        for (var i = 0; i < Messages; i++)
        {
            var received = await listener.WaitForEventAsync("message_received", timeout: TimeSpan.FromSeconds(60));
            Assert.Equal(Payload(i), received.GetProperty("data").GetBytesFromBase64());
        }

        Assert.Equal("peer_closed", (await listener.WaitForEventAsync("session_closed")).GetProperty("reason").GetString());
    }

    private async Task<NodeProcess> StartAsync(string name, params string[] arguments)
    {
        var home = await _temp.NodeHomeAsync(name);
        return NodeProcess.Start(["run", "--trust", "any", "--home", home, .. arguments]);
    }

    public void Dispose() => _temp.Dispose();
}

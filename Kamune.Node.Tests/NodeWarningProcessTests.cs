using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;

namespace Kamune.Node.Tests;

/// <summary>
/// Without --verbose kamune-node turns Akka's and the library's logs off, but its own warnings still reach stderr,
/// one line each. The real process, in echo mode with kamune.delivery-window off, against a peer that sends without
/// ever reading its echoes: once the node holds its cap of echoes it drops the next ones and says so, once.
/// </summary>
public sealed partial class NodeWarningProcessTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly TempHome _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Echoes_dropped_is_one_warning_line_on_stderr_without_verbose()
    {
        var home = await _temp.NodeHomeAsync("node");
        var config = _temp.Sub("echo.conf");
        // Delivery window off: the node reads on while its echoes cannot go out, so it holds them up to its cap.
        await File.WriteAllTextAsync(config, "kamune.delivery-window = 0\n");
        await using var node = NodeProcess.Start(
            ["run", "--json", "--echo", "--listen", "127.0.0.1:0", "--trust", "any", "--home", home, "--config", config]);
        var address = (await node.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
        var port = int.Parse(address[(address.LastIndexOf(':') + 1)..]);

        using var peerKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x73));
        var peer = KamuneSystem.Create(
            "deaf-sender", new KamuneNodeOptions(peerKey, AcceptAllVerifier.Instance), ConfigurationFactory.ParseString("kamune.delivery-window = 1"));
        try
        {
            // The peer's handler never answers a MessageReceived: after the first echo it reads nothing more, so the
            // echoes fill the sockets' buffers, then the node's send window, then its echo cap (4,096).
            var events = Inbox.Create(peer);
            await KamuneExtension.Get(peer).DialAsync("127.0.0.1", port, events.Receiver);
            var session = ((SessionEstablished)await events.ReceiveAsync(TimeSpan.FromSeconds(20))).Session;
            await SendUntilAsync(session, () => node.Stderr.Contains("Echoes dropped", StringComparison.Ordinal));
        }
        finally
        {
            await peer.Terminate();
        }

        // A listening node runs on at the end of its stdin; SIGTERM stops it gracefully.
        node.Signal(NodeProcess.SigTerm);
        Assert.Equal(0, await node.WaitForExitAsync(Bound));
        var line = Assert.Single(node.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Matches(DroppedLine(), line);
    }

    // Small messages, one at a time: many fit in the sockets' buffers, but the stdout they cost stays small. Bounded,
    // so a node that never says it would fail the test instead of hanging it.
    private static async Task SendUntilAsync(IActorRef session, Func<bool> said)
    {
        var payload = new byte[16];
        using var deadline = new CancellationTokenSource(Bound);
        for (var sent = 0; !said(); sent++)
        {
            Assert.False(deadline.IsCancellationRequested, $"no \"Echoes dropped\" warning on stderr after {sent} messages");
            var answer = await session.Ask<object>(new SendMessage(payload, sent), TimeSpan.FromSeconds(10));
            if (answer is SendRefused refused)
            {
                Assert.Equal(SendRefusalKind.BackPressure, refused.Kind);
                sent--;
                await Task.Delay(1);
            }
        }
    }

    [GeneratedRegex(@"^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} \[WRN\] Echoes dropped: [0-9]+ already wait for session 1's send window$")]
    private static partial Regex DroppedLine();
}

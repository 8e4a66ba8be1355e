using System.Text;
using Akka.Actor;

namespace Kamune.Node.Tests;

/// <summary>
/// A kamune-node process whose stdout nobody reads (the program reading it hung: the pipe fills and every write to it
/// blocks) must still stop on SIGTERM, within its shutdown timeout, ending its sessions cleanly. It used not to:
/// the hub waited on stdout forever, and Console's stdout stream held a lock that every stderr line needed too.
/// </summary>
public sealed class BlockedStdoutShutdownTests : IDisposable
{
    private readonly TempHome _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sigterm_stops_a_node_whose_stdout_nobody_reads_and_ends_its_session_cleanly(bool json)
    {
        var home = await _temp.NodeHomeAsync("node");
        string[] arguments = ["run", "--listen", "127.0.0.1:0", "--trust", "any", "--home", home];
        await using var node = NodeProcess.Start(json ? [.. arguments, "--json"] : arguments, readStdout: false);
        var port = await ListeningPort(node);

        using var peerKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x71));
        var peer = KamuneSystem.Create("reader-hung", new KamuneNodeOptions(peerKey, AcceptAllVerifier.Instance));
        try
        {
            var events = Inbox.Create(peer);
            await KamuneExtension.Get(peer).DialAsync("127.0.0.1", port, events.Receiver);
            var session = ((SessionEstablished)await events.ReceiveAsync(TimeSpan.FromSeconds(20))).Session;

            // 60 KB text messages: each one a line of that size, so the pipe (64 KiB) is full after the first ones.
            // Sends until the node stops taking them (back-pressure: its output is blocked) or a bound is reached.
            var payload = Encoding.ASCII.GetBytes(new string('k', 60_000));
            var refused = 0;
            for (var sent = 0; sent < 2_000 && refused < 20; sent++)
            {
                if (await session.Ask<object>(new SendMessage(payload), TimeSpan.FromSeconds(10)) is SendRefused)
                {
                    refused++;
                    await Task.Delay(25);
                }
            }

            Assert.True(refused > 0, "expected the node to stop reading once its stdout was blocked");

            node.Signal(NodeProcess.SigTerm);

            // Shipped shutdown timeout 5 s (sessions) + 5 s (what is left of stdout): 20 s is ample, not a timing assert.
            Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            // The node sends CLOSE_TRANSPORT, but the peer's flood still sits unread in the node's socket when it closes,
            // and Linux answers close() on a socket with unread data with an RST, which can reach the peer before it has
            // read the CLOSE_TRANSPORT: then the peer sees the connection lost. Either way the session ends cleanly,
            // never as a protocol error.
            var closed = await events.ReceiveAsync<SessionClosed>();
            Assert.Contains(closed.Reason, new[] { CloseReason.PeerClosed, CloseReason.ConnectionLost });
            Assert.Contains("stdout was not read", node.Stderr);
        }
        finally
        {
            await peer.Terminate();
        }
    }

    private static async Task<int> ListeningPort(NodeProcess node)
    {
        // JSON: {"event":"listening","address":"127.0.0.1:PORT"}; human: "listening on 127.0.0.1:PORT".
        while (await node.ReadUnreadStdoutLineAsync() is { } line)
        {
            if (line.Contains("listening", StringComparison.Ordinal))
            {
                var address = line.TrimEnd('}', '"');
                return int.Parse(address[(address.LastIndexOf(':') + 1)..]);
            }
        }

        throw new InvalidOperationException($"stdout ended before the node said where it listens; stderr: {node.Stderr}");
    }
}

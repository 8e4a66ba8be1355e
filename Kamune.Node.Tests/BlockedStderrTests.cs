using System.Net.Sockets;
using System.Text;
using Akka.Actor;

namespace Kamune.Node.Tests;

/// <summary>
/// A kamune-node process whose stderr nobody reads, flooded with connections it refuses (each one a warning, so the
/// pipe fills), must go on serving an honest peer and still stop on SIGTERM. It used to do neither: once a log line
/// blocked on stderr, the node stopped answering, and a SIGTERM never ended it.
/// </summary>
public sealed class BlockedStderrTests : IDisposable
{
    private readonly TempHome _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_flood_of_refused_connections_with_stderr_unread_neither_stalls_the_node_nor_holds_its_shutdown()
    {
        var home = await _temp.NodeHomeAsync("node");
        await using var node = NodeProcess.Start(
            ["run", "--json", "--echo", "--listen", "127.0.0.1:0", "--trust", "any", "--home", home, "--verbose"], readStderr: false);
        var address = (await node.WaitForEventAsync("listening")).GetProperty("address").GetString()!;
        var port = int.Parse(address[(address.LastIndexOf(':') + 1)..]);

        // 32 silent connections fill kamune.max-connections-per-address; each further one is refused at accept with a
        // (--verbose) warning of about 120 bytes, so 2,000 of them are several times what the stderr pipe holds (64 KiB).
        var held = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 32; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                held.Add(client);
            }

            await Task.Delay(500);
            for (var i = 0; i < 2_000; i++)
            {
                using var refused = new TcpClient();
                try
                {
                    await refused.ConnectAsync("127.0.0.1", port);
                }
                catch (SocketException)
                {
                    // A full accept backlog refuses at the TCP level: also a connection the node does not take.
                }
            }
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }

        // An honest peer still gets a session and its echo, once the node has worked through the refused connections
        // still in its accept backlog (until then the address is over its limit, and a dial is refused like them).
        using var peerKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x72));
        var peer = KamuneSystem.Create("honest", new KamuneNodeOptions(peerKey, AcceptAllVerifier.Instance));
        try
        {
            var events = Inbox.Create(peer);
            IActorRef? session = null;
            for (var attempt = 0; session is null && attempt < 40; attempt++)
            {
                await KamuneExtension.Get(peer).DialAsync("127.0.0.1", port, events.Receiver);
                switch (await events.ReceiveAsync(TimeSpan.FromSeconds(20)))
                {
                    case SessionEstablished established:
                        session = established.Session;
                        break;
                    case SessionClosed:
                        await Task.Delay(500);
                        break;
                }
            }

            Assert.NotNull(session);
            var payload = Encoding.UTF8.GetBytes("still there?");
            Assert.IsType<SendAck>(await session.Ask<object>(new SendMessage(payload), TimeSpan.FromSeconds(10)));
            var echo = await events.ReceiveAsync<MessageReceived>();
            Assert.Equal(payload, echo.Data.ToArray());

            node.Signal(NodeProcess.SigTerm);
            Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Equal(CloseReason.PeerClosed, (await events.ReceiveAsync<SessionClosed>()).Reason);
        }
        finally
        {
            await peer.Terminate();
        }
    }
}

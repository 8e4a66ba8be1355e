using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

/// <summary>
/// A <see cref="ConnectionWriter"/> alone over one real loopback connection: the remote side is a plain socket the
/// test reads (or does not read), the session a probe or the test actor.
/// </summary>
public abstract class ConnectionWriterTestKit : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly TcpListener _server = new(IPAddress.Loopback, 0);

    protected ConnectionWriterTestKit()
    {
        // A small receive window so the kernel cannot hide a missing back-pressure behind megabytes of buffer.
        _server.Server.ReceiveBufferSize = 4096;
        _server.Start();
    }

    protected static KamuneSettings Settings(string hocon = "") =>
        KamuneSettings.Create(ConfigurationFactory.ParseString(hocon));

    // Dials the test server through a writer whose parent is the test actor, accepts the socket and attaches
    // the session (the test actor unless a probe is given). Returns the writer, the accepted socket and the
    // inbound stream stage (the one ConnectionInit names, to which the session acks).
    protected async Task<(IActorRef Writer, TcpClient Remote, IActorRef Stream)> ConnectAsync(KamuneSettings settings, Akka.TestKit.TestProbe? peer = null)
    {
        var target = new ConnectionTarget.Outgoing(_server.LocalEndpoint, TimeSpan.FromSeconds(5));
        var writer = ChildActorOf(ConnectionWriter.Props(target, settings));
        ExpectMsg<ConnectionOpened>();
        var remote = await _server.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(5));
        writer.Tell(new AttachPeer(peer?.Ref ?? TestActor));
        if (peer is null)
        {
            var stream = ExpectMsg<ConnectionInit>().Inbound;
            stream.Tell(FrameAck.Instance);
            return (writer, remote, stream);
        }

        var inbound = peer.ExpectMsg<ConnectionInit>().Inbound;
        inbound.Tell(FrameAck.Instance);
        return (writer, remote, inbound);
    }

    void IDisposable.Dispose()
    {
        _server.Stop();
        Dispose();
    }
}

using System.Net;
using Akka;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Kamune.Actors.Runtime;

/// <summary>
/// The stream graph of one connection, as its <see cref="ConnectionWriter"/> runs it: the TCP flow for a
/// <see cref="ConnectionTarget"/>, framing both ways (protocol.md layer 2), the <see cref="OutboundQueue"/> at its head
/// and the <see cref="SessionSink"/> at its end. What changes here is the shape of the stream, not the writer's rules.
/// </summary>
internal static class ConnectionGraph
{
    // Frames handed to the socket in one write when several are queued: fewer syscalls, same bytes.
    private const int WriteBatchBytes = 64 * 1024;

    /// <summary>The queue the writer fills, the connect outcome, and the end of the socket's read side.</summary>
    public sealed record Running(OutboundQueue.Handle Queue, Task<ConnectionOpened> Opened, Task<Done> SocketClosed);

    /// <summary>
    /// Runs socket, framing and session sink as one graph, in one stream actor. The sink waits for the session
    /// (AttachPeer) before it reads, and reports to <paramref name="owner"/> once it runs. The socket's read side ends
    /// only once the TCP connection is closed (or failed, or aborted through <paramref name="killSwitch"/>): that is
    /// when the writer is done.
    /// </summary>
    public static Running Run(
        Flow<ByteString, ByteString, Task<ConnectionOpened>> socket,
        KamuneSettings settings,
        SharedKillSwitch killSwitch,
        IActorRef owner,
        IMaterializer materializer,
        FrameTap? tap = null)
    {
        var outbound = Source.FromGraph(new OutboundQueue(settings.OutboundBuffer))
            .Via(FrameTap.Through(tap, FrameDirection.Sent))
            .Via(KamuneFraming.Encoder())
            .BatchWeighted(WriteBatchBytes, frame => frame.Count, frame => frame, (batch, frame) => batch.Concat(frame))
            .Via(killSwitch.Flow<ByteString>());

        var ((queue, opened), socketClosed) = outbound
            .ViaMaterialized(socket, Keep.Both)
            .Via(killSwitch.Flow<ByteString>())
            .WatchTermination(Keep.Both)
            .Via(KamuneFraming.Decoder(settings.MaxFrameLength))
            .Via(FrameTap.Through(tap, FrameDirection.Received))
            .To(Sink.FromGraph(new SessionSink(owner, settings.InboundBuffer)))
            .Run(materializer);
        return new Running(queue, opened, socketClosed);
    }

    /// <summary>
    /// The TCP flow for <paramref name="target"/>; its materialized task yields (local, remote) once connected. A dialed
    /// connection checks the first length prefix the peer sends against <see cref="ConnectionTarget.Outgoing.FirstFrameLength"/>.
    /// </summary>
    public static Flow<ByteString, ByteString, Task<ConnectionOpened>> Socket(
        ActorSystem system, ConnectionTarget target, int maxFrameLength, EndPoint? dialAddress) => target switch
    {
        ConnectionTarget.Accepted accepted => accepted.Flow.MapMaterializedValue(_ =>
            Task.FromResult(new ConnectionOpened(accepted.LocalAddress, accepted.RemoteAddress))),
        ConnectionTarget.Outgoing outgoing => system.TcpStream()
            .OutgoingConnection(dialAddress ?? outgoing.RemoteAddress, halfClose: false, connectionTimeout: outgoing.ConnectTimeout)
            .MapMaterializedValue(Connected)
            .Via(KamuneFraming.FirstFrameLengthOrAny(outgoing.FirstFrameLength, maxFrameLength)),
        _ => throw new ArgumentException($"unknown connection target {target.GetType().Name}"),
    };

    // An await, not ContinueWith(OnlyOnRanToCompletion): a failed connect must surface its own exception, not "A task was canceled".
    private static async Task<ConnectionOpened> Connected(Task<Akka.Streams.Dsl.Tcp.OutgoingConnection> connecting)
    {
        var connection = await connecting.ConfigureAwait(false);
        return new ConnectionOpened(connection.LocalAddress, connection.RemoteAddress);
    }
}

/// <summary>Shows one connection's frame payloads to a <see cref="IFrameObserver"/>, read-only, as they pass.</summary>
internal sealed record FrameTap(IFrameObserver Observer, EndPoint Remote)
{
    private static readonly Flow<ByteString, ByteString, NotUsed> Untapped = Flow.Create<ByteString>();

    /// <summary>A pass-through flow: the same frames, each shown to the observer first; with no tap, nothing at all.</summary>
    public static Flow<ByteString, ByteString, NotUsed> Through(FrameTap? tap, FrameDirection direction) => tap is null
        ? Untapped
        : Flow.Create<ByteString>().Select(frame =>
        {
            tap.Observer.OnFrame(direction, tap.Remote, frame.ToReadOnlySpan());
            return frame;
        });
}

using Akka.Actor;
using Akka.IO;

namespace Kamune.Actors.Runtime;

// The contract between a PeerActor and its connection (real TCP via Akka.Streams, or an in-memory pair in
// tests). Payloads are frame payloads: the 2-byte big-endian length is added and removed by the stream.
// ToString prints lengths, never a payload (ciphertext); none is serialized or logged as a dead letter.
// The inbound half (ConnectionInit, FrameReceived, FramesReceived, FrameAck, FramesAck, ConnectionCompleted,
// ConnectionFailed) is internal, and a session trusts only its own connection (issue 18 item 9): any holder of a
// session reference (every handler has one) could otherwise inject frames, take the stream's acknowledgements or end
// the session. Who may send what:
// - ConnectionInit only from the session's connection (the writer it was built with, PeerOptions.Connection), which
//   names the inbound stream stage it runs (the SessionSink that announced itself with InboundReady), and only once.
// - FrameReceived, FramesReceived and ConnectionCompleted only from that named stage.
// - ConnectionFailed from that stage (the socket or the framing failed) or from the writer (PeerNotReading: the peer
//   did not read within kamune.write-timeout).
// From anyone else each is dropped with a warning, and the session goes on. A test connection that is its own
// inbound stage (the in-memory WireActor) names itself.

/// <summary>
/// Writer to its session: the inbound stream runs, and <paramref name="Inbound"/> is the stage that delivers its frames
/// (the only sender whose frames the session reads). The session answers the stage <see cref="FrameAck"/>.
/// </summary>
internal sealed record ConnectionInit(IActorRef Inbound) : IRuntimeMessage
{
    public override string ToString() => "ConnectionInit";
}

/// <summary>One inbound frame payload. The PeerActor answers <see cref="FrameAck"/> when it may take the next one.</summary>
internal sealed record FrameReceived(ByteString Payload) : IRuntimeMessage
{
    public override string ToString() => $"FrameReceived({Payload.Count} bytes)";
}

/// <summary>Demand signal for the inbound stream: back-pressure is the PeerActor not acking yet.</summary>
internal sealed class FrameAck : IRuntimeMessage
{
    public static readonly FrameAck Instance = new();

    private FrameAck()
    {
    }
}

/// <summary>
/// Like <see cref="FrameAck"/>, but the PeerActor takes every frame the stream holds at once: the answer is one
/// <see cref="FramesReceived"/> (or a <see cref="FrameReceived"/> when only one waits). A session sends it once
/// established, where a burst of frames then costs one message each way instead of one per frame.
/// </summary>
internal sealed class FramesAck : IRuntimeMessage
{
    public static readonly FramesAck Instance = new();

    private FramesAck()
    {
    }
}

/// <summary>Inbound frame payloads, in arrival order, in answer to <see cref="FramesAck"/>.</summary>
internal sealed record FramesReceived(IReadOnlyList<ByteString> Payloads) : IRuntimeMessage
{
    public override string ToString() => $"FramesReceived({Payloads.Count} frames, {Payloads.Sum(p => (long)p.Count)} bytes)";
}

/// <summary>The inbound side ended cleanly (TCP FIN).</summary>
internal sealed class ConnectionCompleted : IRuntimeMessage
{
    public static readonly ConnectionCompleted Instance = new();

    private ConnectionCompleted()
    {
    }
}

/// <summary>The inbound side failed: framing error (a KamuneProtocolException) or socket error.</summary>
internal sealed record ConnectionFailed(Exception Cause) : IRuntimeMessage;

/// <summary>
/// Write one frame payload. The writer answers each at once, in the order written, with <see cref="FrameWritten"/>
/// (its outbound queue took the frame), <see cref="FrameHeld"/> (it holds the frame behind a full queue, a
/// <see cref="FrameWritten"/> follows once the queue takes it) or <see cref="FrameDropped"/> (the frame cannot go out).
/// A connection that answers <see cref="FrameWritten"/> alone keeps the contract.
/// </summary>
internal sealed record WriteFrame(ByteString Payload) : IRuntimeMessage
{
    public override string ToString() => $"WriteFrame({Payload.Count} bytes)";
}

/// <summary>
/// The outbound stream took a frame: the writer is responsible for it from now on (unless a <see cref="FrameHeld"/>
/// said so before) and the session's budget has room for one more (the back-pressure signal).
/// </summary>
internal sealed class FrameWritten : IRuntimeMessage
{
    public static readonly FrameWritten Instance = new();

    private FrameWritten()
    {
    }
}

/// <summary>
/// The writer took responsibility for a frame it holds behind a full outbound queue (the peer is not reading fast
/// enough): it goes out in order, or the connection is cut (kamune.write-timeout, the outbound bound). The budget
/// stays taken until the <see cref="FrameWritten"/> that follows when the queue takes the frame.
/// </summary>
internal sealed class FrameHeld : IRuntimeMessage
{
    public static readonly FrameHeld Instance = new();

    private FrameHeld()
    {
    }
}

/// <summary>
/// The writer did not take a frame: its connection is closing, closed or cut, so the frame never goes out. No
/// <see cref="FrameWritten"/> follows; the session refuses the send at once and learns why from the connection's end.
/// </summary>
internal sealed class FrameDropped : IRuntimeMessage
{
    public static readonly FrameDropped Instance = new();

    private FrameDropped()
    {
    }
}

/// <summary>Finish the outbound stream after the frames already written (graceful) or at once (abort).</summary>
internal sealed record CloseConnection(bool Abort) : IRuntimeMessage;

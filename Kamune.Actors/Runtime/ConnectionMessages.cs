using Akka.IO;

namespace Kamune.Actors.Runtime;

// The contract between a PeerActor and its connection (real TCP via Akka.Streams, or an in-memory pair in
// tests). Payloads are frame payloads: the 2-byte big-endian length is added and removed by the stream.
// ToString prints lengths, never a payload (ciphertext); none is serialized or logged as a dead letter.
// The inbound half (ConnectionInit, FrameReceived, FramesReceived, FrameAck, FramesAck) is internal: a session takes
// frames only from the stream stage that sent it ConnectionInit, and no holder of a session reference (every handler
// has one) can inject frames or take the stream's acknowledgements (issue 18 item 9).

/// <summary>Inbound stream started (Sink.ActorRefWithAck init). The PeerActor answers <see cref="FrameAck"/>.</summary>
internal sealed class ConnectionInit : IConnectionContractMessage
{
    public static readonly ConnectionInit Instance = new();

    private ConnectionInit()
    {
    }
}

/// <summary>One inbound frame payload. The PeerActor answers <see cref="FrameAck"/> when it may take the next one.</summary>
internal sealed record FrameReceived(ByteString Payload) : IConnectionContractMessage
{
    public override string ToString() => $"FrameReceived({Payload.Count} bytes)";
}

/// <summary>Demand signal for the inbound stream: back-pressure is the PeerActor not acking yet.</summary>
internal sealed class FrameAck : IConnectionContractMessage
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
internal sealed class FramesAck : IConnectionContractMessage
{
    public static readonly FramesAck Instance = new();

    private FramesAck()
    {
    }
}

/// <summary>Inbound frame payloads, in arrival order, in answer to <see cref="FramesAck"/>.</summary>
internal sealed record FramesReceived(IReadOnlyList<ByteString> Payloads) : IConnectionContractMessage
{
    public override string ToString() => $"FramesReceived({Payloads.Count} frames, {Payloads.Sum(p => (long)p.Count)} bytes)";
}

/// <summary>The inbound side ended cleanly (TCP FIN).</summary>
internal sealed class ConnectionCompleted : IConnectionContractMessage
{
    public static readonly ConnectionCompleted Instance = new();

    private ConnectionCompleted()
    {
    }
}

/// <summary>The inbound side failed: framing error (a KamuneProtocolException) or socket error.</summary>
internal sealed record ConnectionFailed(Exception Cause) : IConnectionContractMessage;

/// <summary>Write one frame payload; the writer answers <see cref="FrameWritten"/> once it is accepted by the stream.</summary>
internal sealed record WriteFrame(ByteString Payload) : IConnectionContractMessage
{
    public override string ToString() => $"WriteFrame({Payload.Count} bytes)";
}

/// <summary>The outbound stream accepted a frame; the writer may take the next one.</summary>
internal sealed class FrameWritten : IConnectionContractMessage
{
    public static readonly FrameWritten Instance = new();

    private FrameWritten()
    {
    }
}

/// <summary>Finish the outbound stream after the frames already written (graceful) or at once (abort).</summary>
internal sealed record CloseConnection(bool Abort) : IConnectionContractMessage;

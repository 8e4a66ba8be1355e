using Akka.Actor;
using Akka.IO;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Actors.Runtime;

// The protocol between a PeerActor and its CipherActor. Messages carry frame payloads and plaintext payloads only:
// keys, secrets and tokens never leave the CipherActor (conventions.md 4). ToString prints lengths, never a payload
// (ciphertext or plaintext), and none is serialized or logged as a dead letter (issue 18 item 10): each is an IRuntimeMessage.

/// <summary>Initiator only: produce exchange frame 1.</summary>
internal sealed class StartExchange : IRuntimeMessage
{
    public static readonly StartExchange Instance = new();

    private StartExchange()
    {
    }
}

/// <summary>An exchange frame from the peer (raw, no protobuf).</summary>
internal sealed record ExchangeFrame(ByteString Payload) : IRuntimeMessage
{
    public override string ToString() => $"ExchangeFrame({Payload.Count} bytes)";
}

/// <summary>Frames to write for the exchange, and whether the tunnel now exists.</summary>
internal sealed record ExchangeProgress(IReadOnlyList<ByteString> Frames, bool TunnelReady) : IRuntimeMessage
{
    public override string ToString() => $"ExchangeProgress({Frames.Count} frames, tunnel ready: {TunnelReady})";
}

/// <summary>Produce this side's Introduce, sealed into the tunnel.</summary>
internal sealed class SealIntroduce : IRuntimeMessage
{
    public static readonly SealIntroduce Instance = new();

    private SealIntroduce()
    {
    }
}

/// <summary>The peer's Introduce frame (tunnel-sealed).</summary>
internal sealed record OpenIntroduce(ByteString Payload) : IRuntimeMessage
{
    public override string ToString() => $"OpenIntroduce({Payload.Count} bytes)";
}

/// <summary>The peer's Introduce verified (signature, route, name, version); the verifier has not run yet.</summary>
internal sealed record IntroduceOpened(RemoteIntroduction Introduction) : IRuntimeMessage
{
    public override string ToString() => "IntroduceOpened";
}

/// <summary>Initiator only: produce the REQUEST_HANDSHAKE frame for the introduced peer.</summary>
internal sealed class StartHandshake : IRuntimeMessage
{
    public static readonly StartHandshake Instance = new();

    private StartHandshake()
    {
    }
}

/// <summary>The peer's handshake frame (tunnel-sealed).</summary>
internal sealed record HandshakeFrame(ByteString Payload) : IRuntimeMessage
{
    public override string ToString() => $"HandshakeFrame({Payload.Count} bytes)";
}

/// <summary>Keys derived; the challenge phase began. Frames: the response (R) and/or the first challenge (I).</summary>
internal sealed record HandshakeCompleted(string SessionId, IReadOnlyList<ByteString> Frames) : IRuntimeMessage
{
    public override string ToString() => $"HandshakeCompleted({Frames.Count} frames)";
}

/// <summary>Frames the CipherActor produced on request (exchange frame 1, Introduce, handshake request).</summary>
internal sealed record FramesReady(IReadOnlyList<ByteString> Frames) : IRuntimeMessage
{
    public override string ToString() => $"FramesReady({Frames.Count} frames)";
}

/// <summary>
/// Session frames from the peer, in arrival order: tunnel-and-session-sealed during the challenges (one at a time),
/// session-sealed after (a burst at a time). Opened, they go straight on to <paramref name="Judge"/> (the
/// ReplayGuardActor) as <see cref="CheckSequences"/> on behalf of the sender, a failed open with them, one actor hop
/// fewer than a round trip through the sender. Once established, the cipher only decrypts; the signatures are
/// verified off its thread, a burst split across the cores (<see cref="VerifyEnvelopes"/>), and the tickets let the
/// guard judge the parts in frame order, so the sender still hears about frames strictly in the order it sent them.
/// </summary>
internal sealed record OpenFrames(IReadOnlyList<ByteString> Payloads, IActorRef Judge) : IRuntimeMessage
{
    public override string ToString() => $"OpenFrames({Payloads.Count} frames)";
}

/// <summary>Feed an in-sequence challenge message to the challenge phase.</summary>
internal sealed record ContinueChallenge(InboundMessage Message) : IRuntimeMessage
{
    public override string ToString() => $"ContinueChallenge({Message.Route}, seq {Message.Sequence}, {Message.Value.Length} bytes)";
}

/// <summary>Frames the challenge step wants written, and whether the session is established (tunnel dropped).</summary>
internal sealed record ChallengeProgress(IReadOnlyList<ByteString> Frames, bool Completed) : IRuntimeMessage
{
    public override string ToString() => $"ChallengeProgress({Frames.Count} frames, completed: {Completed})";
}

/// <summary>Seal one session message; <paramref name="Tag"/> comes back unchanged in the answer.</summary>
internal sealed record SealMessage(Route Route, ReadOnlyMemory<byte> Value, object? Tag) : IRuntimeMessage
{
    public override string ToString() => $"SealMessage({Route}, {Value.Length} bytes)";
}

/// <summary>Seal a PING carrying 8 fresh random bytes (protocol.md step 5).</summary>
internal sealed class SealPing : IRuntimeMessage
{
    public static readonly SealPing Instance = new();

    private SealPing()
    {
    }
}

/// <summary>Seal these session messages in order; answered with one <see cref="SealedBatch"/>.</summary>
internal sealed record SealMessages(IReadOnlyList<SealMessage> Messages) : IRuntimeMessage
{
    public override string ToString() => $"SealMessages({Messages.Count} messages)";
}

/// <summary>The answers to a <see cref="SealMessages"/>, in its order: each a <see cref="Sealed"/> or a <see cref="SealRefused"/>.</summary>
internal sealed record SealedBatch(IReadOnlyList<object> Answers) : IRuntimeMessage
{
    public override string ToString() => $"SealedBatch({Answers.Count} answers)";
}

/// <summary>A sealed session frame with the sequence number it used.</summary>
internal sealed record Sealed(ByteString Frame, ulong Sequence, Route Route, object? Tag) : IRuntimeMessage
{
    public override string ToString() => $"Sealed({Frame.Count} bytes, seq {Sequence}, {Route})";
}

/// <summary>The message was not sealed (too large); the session goes on.</summary>
internal sealed record SealRefused(string Reason, object? Tag) : IRuntimeMessage;

/// <summary>Peer input failed a protocol check: the session must end with this kind.</summary>
internal sealed record CipherFailed(KamuneError Error, string Detail) : IRuntimeMessage;

/// <summary>
/// Judge these messages' sequence numbers in order (an opened part of an <see cref="OpenFrames"/>); then, if the
/// frame after them failed to open, pass <paramref name="Failure"/> on. <paramref name="Ticket"/> counts from 0 per
/// session in frame order: parts verified in parallel may arrive out of order and are judged in ticket order.
/// </summary>
internal sealed record CheckSequences(long Ticket, IReadOnlyList<InboundMessage> Messages, CipherFailed? Failure) : IRuntimeMessage
{
    public override string ToString() => $"CheckSequences(ticket {Ticket}, {Messages.Count} messages, failed: {Failure is not null})";
}

/// <summary>Verifying the part with this ticket threw something other than a protocol error: a bug, so the guard fails.</summary>
internal sealed record VerifyCrashed(long Ticket, Exception Error) : IRuntimeMessage;

/// <summary>These messages, in order, each had exactly last + 1.</summary>
internal sealed record SequencesAccepted(IReadOnlyList<InboundMessage> Messages) : IRuntimeMessage
{
    public override string ToString() => $"SequencesAccepted({Messages.Count} messages)";
}

/// <summary>A duplicate (got &lt; expected) or a gap (got &gt; expected): the session is out of sync.</summary>
internal sealed record OutOfSync(ulong Expected, ulong Got) : IRuntimeMessage;

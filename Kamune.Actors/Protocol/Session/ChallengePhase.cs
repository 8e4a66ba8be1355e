using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Kamune.Wire;

namespace Kamune.Protocol.Session;

/// <summary>One message a phase wants sent: its route and BytesValue payload.</summary>
internal readonly record struct OutboundValue(Route Route, ReadOnlyMemory<byte> Value);

/// <summary>The outcome of one challenge step: what to send now, and whether the session is established.</summary>
internal sealed record ChallengeStep(IReadOnlyList<OutboundValue> Send, bool Completed);

/// <summary>
/// Challenge exchange (protocol.md "Flow" step 4), session-encrypted inside the tunnel, Sequence from 1:
/// 1. I -> R: SEND_CHALLENGE(token_c2s), seq 1.
/// 2. R -> I: VERIFY_CHALLENGE(echo), seq 1; I compares in constant time.
/// 3. R -> I: SEND_CHALLENGE(token_s2c), seq 2.
/// 4. I -> R: VERIFY_CHALLENGE(echo), seq 2; R compares. Both are then established.
/// Each side echoes the peer's token as received (the Go reference does not judge it) and checks only its own.
/// The tokens are secrets of the session: the phase copies none of them. What it hands out to send points into its
/// own token or into a received value it was given, and Dispose wipes all of those, so a caller seals what a step
/// returns before it disposes the phase.
/// </summary>
internal sealed class ChallengePhase : IDisposable
{
    private readonly SessionRole _role;

    // Pinned, so the GC never leaves a stray copy of the token behind when it compacts.
    private readonly byte[] _token;
    private readonly Queue<InboundMessage> _kept = new();
    private readonly List<ReadOnlyMemory<byte>> _handedOver = [];
    private int _step;
    private bool _begun;

    public ChallengePhase(SessionRole role, ReadOnlySpan<byte> ownToken)
    {
        _role = role;
        _token = GC.AllocateArray<byte>(ownToken.Length, pinned: true);
        ownToken.CopyTo(_token);
    }

    public bool Completed { get; private set; }

    /// <summary>What to send on entering the phase: the initiator opens with its token, the responder waits.</summary>
    public IReadOnlyList<OutboundValue> Begin()
    {
        if (_begun)
        {
            throw new InvalidOperationException("Challenge: expected Begin once; got a repeat call.");
        }

        _begun = true;
        return _role == SessionRole.Initiator ? [new OutboundValue(Route.SendChallenge, _token)] : [];
    }

    /// <summary>
    /// Keeps an opened (not yet sequence-checked) challenge message and returns it without its value, for the replay
    /// guard and the session's actor to pass around: a token never travels in an actor message. The phase owns the
    /// value from here and wipes it on Dispose; <see cref="OnAccepted"/> takes the message back once its sequence
    /// number is accepted.
    /// </summary>
    public InboundMessage Keep(InboundMessage opened)
    {
        _kept.Enqueue(opened);
        _handedOver.Add(opened.Value);
        return opened with { Value = ReadOnlyMemory<byte>.Empty };
    }

    /// <summary><see cref="OnMessage"/> on the value of the kept message whose sequence number was just accepted.</summary>
    public ChallengeStep OnAccepted(InboundMessage accepted)
    {
        // The guard accepts in order and ends the session at the first rejection, so the accepted one is the oldest kept.
        if (!_kept.TryDequeue(out var kept) || kept.Sequence != accepted.Sequence || kept.Route != accepted.Route)
        {
            throw new InvalidOperationException(
                $"Challenge: expected the oldest kept message to be accepted next, got sequence {accepted.Sequence} instead.");
        }

        return OnMessage(kept.Route, kept.Value);
    }

    /// <summary>Takes the next inbound message (already decrypted, verified and in sequence).</summary>
    public ChallengeStep OnMessage(Route route, ReadOnlyMemory<byte> value)
    {
        if (!_begun || Completed)
        {
            throw new InvalidOperationException($"Challenge: expected a message after Begin and before completion; got one at step {_step}.");
        }

        RoutePolicy.Expect(RoutePolicy.ExpectedInbound(SessionPhase.Challenge, _role, _step), route, SessionPhase.Challenge);
        var step = (_role, _step) switch
        {
            (SessionRole.Initiator, 0) => CheckEcho(value, completes: false),
            (SessionRole.Initiator, _) => new ChallengeStep([new OutboundValue(Route.VerifyChallenge, value)], true),
            (SessionRole.Responder, 0) => new ChallengeStep(
                [new OutboundValue(Route.VerifyChallenge, value), new OutboundValue(Route.SendChallenge, _token)],
                false),
            _ => CheckEcho(value, completes: true),
        };
        _step++;
        Completed = step.Completed;
        return step;
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_token);
        foreach (var value in _handedOver)
        {
            // Keep's caller handed the value over: its bytes are ours to wipe.
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsMemory(value).Span);
        }

        _handedOver.Clear();
        _kept.Clear();
    }

    public override string ToString() => $"ChallengePhase({_role}, step {_step})";

    private ChallengeStep CheckEcho(ReadOnlyMemory<byte> echo, bool completes)
    {
        if (!CryptographicOperations.FixedTimeEquals(echo.Span, _token))
        {
            throw new KamuneProtocolException(
                KamuneError.ChallengeFailed,
                $"Challenge: expected the {_token.Length}-byte token sent to be echoed, got {echo.Length} bytes that differ.");
        }

        return new ChallengeStep([], completes);
    }
}

using Akka.Actor;
using Akka.IO;
using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Actors.Runtime;

/// <summary>
/// The only holder of one session's secrets: the exchange key pair, then the tunnel contexts, then the ML-KEM key
/// pair and the session ciphers. It runs the pure phase objects on request and answers with frame payloads or
/// plaintext; keys never appear in a message or a log line, and PostStop wipes them all.
/// It also draws all of the session's randomness, in message order, so a seeded source replays a session exactly.
/// Established frames it only decrypts: their signatures need no secret and are verified on the dispatcher
/// (<see cref="VerifyEnvelopes"/>), so one session's verifications use every core and overlap its seals.
/// Peer input that fails a check is answered with <see cref="CipherFailed"/>; anything else is a bug and crashes
/// the actor (its parent then ends the session).
/// </summary>
internal sealed class CipherActor : ReceiveActor
{
    private readonly SessionRole _role;
    private readonly IdentityKeyPair _local;
    private readonly string _localName;
    private readonly string _appVersion;
    private readonly IClock _clock;
    private readonly IRandomSource _random;

    private ExchangeInitiator? _exchangeInitiator;
    private ExchangeResponder? _exchangeResponder;
    private ExchangeTunnel? _tunnel;
    private PublicIdentity? _remote;
    private HandshakeInitiator? _handshake;
    private ChallengePhase? _challenge;
    private SessionTransport? _session;
    private bool _exchanged;
    private long _nextTicket;

    public CipherActor(SessionRole role, IdentityKeyPair local, string localName, string appVersion, IClock clock, IRandomSource random)
    {
        _role = role;
        _local = local;
        _localName = localName;
        _appVersion = appVersion;
        _clock = clock;
        _random = random;

        Receive<StartExchange>(_ => Reply(() =>
        {
            _exchangeInitiator = new ExchangeInitiator(_random);
            return new FramesReady([Frame(_exchangeInitiator.FirstFrame())]);
        }));
        Receive<ExchangeFrame>(m => Reply(() => OnExchangeFrame(m.Payload.ToArray())));
        Receive<SealIntroduce>(_ => Reply(() =>
            new FramesReady([Frame(Tunnel.Seal(IntroductionPhase.CreateIntroduce(_local, _localName, _appVersion, _clock, _random)))])));
        Receive<OpenIntroduce>(m => Reply(() =>
        {
            var introduction = IntroductionPhase.ReadIntroduce(Tunnel.Open(m.Payload.ToArray()), ProtocolVersion.Current);
            _remote = introduction.Identity;
            return new IntroduceOpened(introduction);
        }));
        Receive<StartHandshake>(_ => Reply(() =>
        {
            _handshake = new HandshakeInitiator(_local, Remote, _clock, _random);
            return new FramesReady([Frame(Tunnel.Seal(_handshake.CreateRequest()))]);
        }));
        Receive<HandshakeFrame>(m => Reply(() => OnHandshakeFrame(Tunnel.Open(m.Payload.ToArray()))));
        Receive<OpenFrames>(m =>
        {
            if (_tunnel is null)
            {
                OpenEstablished(m);
                return;
            }

            var opened = new List<InboundMessage>(m.Payloads.Count);
            CipherFailed? failure = null;
            try
            {
                foreach (var frame in m.Payloads)
                {
                    // During the challenges session payloads travel inside the tunnel (protocol.md layer 4). The phase
                    // keeps each token; the guard and the PeerActor see route and sequence only.
                    opened.Add(Challenge.Keep(Session.Open(_tunnel.Open(frame.ToArray()))));
                }
            }
            catch (KamuneProtocolException e)
            {
                // The frames after a failed one are never judged: the session ends on this failure.
                failure = new CipherFailed(e.Error, e.Message);
            }

            m.Judge.Tell(new CheckSequences(_nextTicket++, opened, failure), Sender);
        });
        Receive<ContinueChallenge>(m => Reply(() => OnChallengeMessage(m.Message)));
        Receive<SealMessage>(m => Sender.Tell(Seal(m)));
        Receive<SealMessages>(m =>
        {
            var answers = new object[m.Messages.Count];
            for (var i = 0; i < answers.Length; i++)
            {
                answers[i] = Seal(m.Messages[i]);
            }

            Sender.Tell(new SealedBatch(answers));
        });
        Receive<SealPing>(_ =>
        {
            Span<byte> probe = stackalloc byte[8];
            _random.Fill(probe);
            var frame = Session.Seal(Route.Ping, probe, out var sequence);
            Sender.Tell(new Sealed(Frame(frame), sequence, Route.Ping, null));
        });
    }

    private ExchangeTunnel Tunnel =>
        _tunnel ?? throw new InvalidOperationException("Cipher: expected the exchange tunnel, got none (exchange not finished or already dropped).");

    private PublicIdentity Remote =>
        _remote ?? throw new InvalidOperationException("Cipher: expected the remote identity from its Introduce, got none.");

    private ChallengePhase Challenge =>
        _challenge ?? throw new InvalidOperationException("Cipher: expected a challenge phase, got a challenge message without one.");

    private SessionTransport Session =>
        _session ?? throw new InvalidOperationException("Cipher: expected session keys, got none (handshake not finished).");

    public static Props Props(SessionRole role, IdentityKeyPair local, string localName, string appVersion, IClock clock, IRandomSource random) =>
        ActorFactory.Props(() => new CipherActor(role, local, localName, appVersion, clock, random));

    protected override void PostStop()
    {
        _exchangeInitiator?.Dispose();
        _exchangeResponder?.Dispose();
        _tunnel?.Dispose();
        _handshake?.Dispose();
        _challenge?.Dispose();
        _session?.Dispose();
        base.PostStop();
    }

    private static ByteString Frame(byte[] payload) => ByteString.FromBytes(payload);

    // Established frames are decrypted where they lie (the decoder gave each an array of its own), in order, here;
    // their signatures are verified on the dispatcher in up to one run per core (VerifyEnvelopes), each run under
    // its own ticket so the guard judges them in frame order.
    private void OpenEstablished(OpenFrames m)
    {
        var decrypted = new DecryptedPayload[m.Payloads.Count];
        var count = 0;
        CipherFailed? failure = null;
        try
        {
            for (; count < decrypted.Length; count++)
            {
                decrypted[count] = Session.Decrypt(m.Payloads[count].ToReadOnlySpan());
            }
        }
        catch (KamuneProtocolException e)
        {
            failure = new CipherFailed(e.Error, e.Message);
        }

        if (count == 0)
        {
            m.Judge.Tell(new CheckSequences(_nextTicket++, [], failure), Sender);
            return;
        }

        var runs = Math.Min(count, Environment.ProcessorCount);
        var dispatcher = Context.Dispatcher;
        for (int run = 0, start = 0; run < runs; run++)
        {
            // Runs differ in length by at most one frame; the decryption failure, if any, follows the last run.
            var length = (count - start) / (runs - run);
            var last = run == runs - 1;
            dispatcher.Schedule(new VerifyEnvelopes(
                _nextTicket++, new ArraySegment<DecryptedPayload>(decrypted, start, length), Session.Remote, last ? failure : null, m.Judge, Sender));
            start += length;
        }
    }

    private object Seal(SealMessage m)
    {
        try
        {
            var frame = Session.Seal(m.Route, m.Value.Span, out var sequence);
            return new Sealed(Frame(frame), sequence, m.Route, m.Tag);
        }
        catch (KamuneProtocolException e) when (e.Error == KamuneError.MessageTooLarge)
        {
            return new SealRefused(e.Message, m.Tag);
        }
    }

    // Peer input is judged here: a failed check becomes an answer, never an exception that escapes the actor.
    private void Reply(Func<object> work)
    {
        object answer;
        try
        {
            answer = work();
        }
        catch (KamuneProtocolException e)
        {
            answer = new CipherFailed(e.Error, e.Message);
        }

        Sender.Tell(answer);
    }

    private ExchangeProgress OnExchangeFrame(byte[] payload)
    {
        if (_exchanged)
        {
            throw new InvalidOperationException("Cipher: expected no exchange frame after the exchange, got one.");
        }

        if (_role == SessionRole.Initiator)
        {
            var initiator = _exchangeInitiator
                ?? throw new InvalidOperationException("Cipher: expected exchange frame 2 after frame 1, got it before.");
            var (tunnel, third) = initiator.OnResponderHello(payload);
            _tunnel = tunnel;
            _exchanged = true;
            initiator.Dispose();
            _exchangeInitiator = null;
            return new ExchangeProgress([Frame(third)], true);
        }

        if (_exchangeResponder is null)
        {
            _exchangeResponder = new ExchangeResponder(_random);
            return new ExchangeProgress([Frame(_exchangeResponder.OnInitiatorKey(payload))], false);
        }

        _tunnel = _exchangeResponder.OnInitiatorEnc(payload);
        _exchanged = true;
        _exchangeResponder.Dispose();
        _exchangeResponder = null;
        return new ExchangeProgress([], true);
    }

    private HandshakeCompleted OnHandshakeFrame(byte[] inner)
    {
        var frames = new List<ByteString>(2);
        HandshakeResult result;
        if (_role == SessionRole.Initiator)
        {
            var handshake = _handshake
                ?? throw new InvalidOperationException("Cipher: expected the handshake response after the request, got it before.");
            result = handshake.OnResponse(inner);
            // The ephemeral ML-KEM key pair has done its work: wipe it now, not when the session ends.
            handshake.Dispose();
            _handshake = null;
        }
        else
        {
            var (response, derived) = new HandshakeResponder(_local, Remote, _clock, _random).OnRequest(inner);
            frames.Add(Frame(Tunnel.Seal(response)));
            result = derived;
        }

        using (result)
        {
            _session = new SessionTransport(result.SessionId, _local, Remote, result.Sealer, result.Opener, _clock, _random);
            _challenge = new ChallengePhase(_role, result.ChallengeToken);
        }

        foreach (var outbound in _challenge.Begin())
        {
            frames.Add(SealChallenge(outbound));
        }

        return new HandshakeCompleted(_session.SessionId, frames);
    }

    private ChallengeProgress OnChallengeMessage(InboundMessage message)
    {
        var challenge = Challenge;
        var step = challenge.OnAccepted(message);
        var frames = step.Send.Select(SealChallenge).ToArray();
        if (step.Completed)
        {
            // protocol.md layer 4: after the challenges the tunnel is dropped; session payloads go straight into frames.
            challenge.Dispose();
            _challenge = null;
            _tunnel?.Dispose();
            _tunnel = null;
        }

        return new ChallengeProgress(frames, step.Completed);
    }

    private ByteString SealChallenge(OutboundValue outbound) =>
        Frame(Tunnel.Seal(Session.Seal(outbound.Route, outbound.Value.Span, out _)));
}

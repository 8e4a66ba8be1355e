using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Tests.Session;

/// <summary>The whole session flow between initiator and responder objects, in memory (protocol.md "Flow").</summary>
public sealed class SessionFlowTests
{
    [Fact]
    public void Full_session_agrees_on_identities_session_id_and_carries_messages_both_ways()
    {
        using var session = new PureSession();
        session.Exchange();
        var (atResponder, atInitiator) = session.Introduce();
        Assert.Equal(session.InitiatorKey.PublicIdentity, atResponder.Identity);
        Assert.Equal("initiator", atResponder.Name);
        Assert.Equal(session.ResponderKey.PublicIdentity, atInitiator.Identity);
        Assert.Equal(VersionDecision.Accept, atInitiator.Version.Decision);

        var (initiatorResult, responderResult) = session.Handshake();
        Assert.Equal(SessionId.Length, initiatorResult.SessionId.Length);
        Assert.Equal(initiatorResult.SessionId, responderResult.SessionId);

        using var initiator = session.Transport(SessionRole.Initiator, initiatorResult);
        using var responder = session.Transport(SessionRole.Responder, responderResult);
        using var initiatorChallenge = new ChallengePhase(SessionRole.Initiator, initiatorResult.ChallengeToken);
        using var responderChallenge = new ChallengePhase(SessionRole.Responder, responderResult.ChallengeToken);
        var received = new ReceiveSequence();
        var receivedByInitiator = new ReceiveSequence();

        // protocol.md step 4: I opens, R echoes and challenges, I echoes.
        var opening = Assert.Single(initiatorChallenge.Begin());
        Assert.Empty(responderChallenge.Begin());
        var atR = responder.Open(initiator.Seal(opening.Route, opening.Value.Span, out var seq));
        Assert.Equal(1UL, seq);
        received.Accept(atR.Sequence);
        var rStep = responderChallenge.OnMessage(atR.Route, atR.Value);
        Assert.Equal([Route.VerifyChallenge, Route.SendChallenge], rStep.Send.Select(s => s.Route));
        Assert.False(rStep.Completed);

        ChallengeStep? iStep = null;
        foreach (var outbound in rStep.Send)
        {
            var atI = initiator.Open(responder.Seal(outbound.Route, outbound.Value.Span, out _));
            receivedByInitiator.Accept(atI.Sequence);
            iStep = initiatorChallenge.OnMessage(atI.Route, atI.Value);
        }

        Assert.True(iStep!.Completed);
        var echo = Assert.Single(iStep.Send);
        var lastAtR = responder.Open(initiator.Seal(echo.Route, echo.Value.Span, out _));
        received.Accept(lastAtR.Sequence);
        Assert.True(responderChallenge.OnMessage(lastAtR.Route, lastAtR.Value).Completed);

        // protocol.md step 5: application traffic starts at sequence 3 in each direction.
        var hello = responder.Open(initiator.Seal(Route.ExchangeMessages, "hello"u8, out var helloSeq));
        Assert.Equal(3UL, helloSeq);
        received.Accept(hello.Sequence);
        Assert.Equal("hello"u8.ToArray(), hello.Value.ToArray());
        Assert.Equal(PureSession.Start, hello.Timestamp);

        var reply = initiator.Open(responder.Seal(Route.ExchangeMessages, "world"u8, out var replySeq));
        Assert.Equal(3UL, replySeq);
        Assert.Equal("world"u8.ToArray(), reply.Value.ToArray());
        initiatorResult.Dispose();
        responderResult.Dispose();
    }

    [Fact]
    public void Challenge_rejects_an_echo_that_differs_from_the_token_sent()
    {
        using var phase = new ChallengePhase(SessionRole.Initiator, new byte[32]);
        phase.Begin();
        var wrong = new byte[32];
        wrong[31] = 1;
        var e = Assert.Throws<KamuneProtocolException>(() => phase.OnMessage(Route.VerifyChallenge, wrong));
        Assert.Equal(KamuneError.ChallengeFailed, e.Error);
    }

    [Theory]
    [InlineData(SessionRole.Initiator, Route.SendChallenge, "expected route VerifyChallenge, got SendChallenge")]
    [InlineData(SessionRole.Responder, Route.VerifyChallenge, "expected route SendChallenge, got VerifyChallenge")]
    [InlineData(SessionRole.Responder, Route.ExchangeMessages, "expected route SendChallenge, got ExchangeMessages")]
    public void Challenge_rejects_a_route_out_of_turn(SessionRole role, object routeValue, string detail)
    {
        // Boxed: xunit theories must be public, Route is internal to the library.
        var route = (Route)routeValue;
        using var phase = new ChallengePhase(role, new byte[32]);
        phase.Begin();
        var e = Assert.Throws<KamuneProtocolException>(() => phase.OnMessage(route, new byte[32]));
        Assert.Equal(KamuneError.UnexpectedRoute, e.Error);
        Assert.Contains(detail, e.Message);
    }

    [Fact]
    public void Responder_challenge_completes_only_after_its_own_token_is_echoed()
    {
        var token = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        using var phase = new ChallengePhase(SessionRole.Responder, token);
        phase.Begin();
        var first = phase.OnMessage(Route.SendChallenge, new byte[] { 9, 9 });
        Assert.Equal(new byte[] { 9, 9 }, first.Send[0].Value.ToArray());
        Assert.Equal(token, first.Send[1].Value.ToArray());
        Assert.False(phase.Completed);
        Assert.True(phase.OnMessage(Route.VerifyChallenge, token).Completed);
    }
}

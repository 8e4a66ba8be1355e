using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Tests.Session;

public sealed class SessionTransportTests : IDisposable
{
    private readonly PureSession _session = new();
    private readonly SessionTransport _initiator;
    private readonly SessionTransport _responder;

    public SessionTransportTests()
    {
        var (i, r) = _session.Handshake();
        _initiator = _session.Transport(SessionRole.Initiator, i);
        _responder = _session.Transport(SessionRole.Responder, r);
    }

    public void Dispose()
    {
        _initiator.Dispose();
        _responder.Dispose();
        _session.Dispose();
    }

    [Fact]
    public void Seal_numbers_messages_from_one_and_Open_returns_route_sequence_and_payload()
    {
        _initiator.Seal(Route.SendChallenge, new byte[32], out var first);
        var frame = _initiator.Seal(Route.Ping, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, out var second);
        Assert.Equal((1UL, 2UL), (first, second));
        var opened = _responder.Open(frame);
        Assert.Equal((Route.Ping, 2UL), (opened.Route, opened.Sequence));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, opened.Value.ToArray());
    }

    [Fact]
    public void Close_carries_an_empty_payload()
    {
        var opened = _responder.Open(_initiator.Seal(Route.CloseTransport, ReadOnlySpan<byte>.Empty, out _));
        Assert.Equal(Route.CloseTransport, opened.Route);
        Assert.True(opened.Value.IsEmpty);
    }

    [Fact]
    public void Open_rejects_a_payload_with_one_flipped_bit()
    {
        var frame = _initiator.Seal(Route.ExchangeMessages, "hello"u8, out _);
        frame[^1] ^= 0x01;
        Assert.Equal(KamuneError.DecryptionFailed, Assert.Throws<KamuneProtocolException>(() => _responder.Open(frame)).Error);
    }

    [Fact]
    public void Open_rejects_a_payload_sealed_for_the_other_direction()
    {
        var frame = _initiator.Seal(Route.ExchangeMessages, "hello"u8, out _);
        Assert.Equal(KamuneError.DecryptionFailed, Assert.Throws<KamuneProtocolException>(() => _initiator.Open(frame)).Error);
    }

    [Fact]
    public void Seal_accepts_the_largest_payload_and_refuses_one_byte_more_without_using_a_sequence_number()
    {
        var largest = _initiator.Seal(Route.ExchangeMessages, new byte[SessionTransport.MaxPayload], out var sequence);
        Assert.True(largest.Length <= ushort.MaxValue, $"expected a frame of at most 65535 bytes, got {largest.Length}");
        var e = Assert.Throws<KamuneProtocolException>(() => _initiator.Seal(Route.ExchangeMessages, new byte[SessionTransport.MaxPayload + 1], out _));
        Assert.Equal(KamuneError.MessageTooLarge, e.Error);
        Assert.Equal(sequence, _initiator.LastSentSequence);
        Assert.Equal(SessionTransport.MaxPayload, _responder.Open(largest).Value.Length);
    }

    [Fact]
    public void ReceiveSequence_rejects_duplicates_and_gaps_and_keeps_its_place()
    {
        var sequence = new ReceiveSequence();
        sequence.Accept(1);
        Assert.Equal(KamuneError.OutOfSync, Assert.Throws<KamuneProtocolException>(() => sequence.Accept(1)).Error);
        var gap = Assert.Throws<KamuneProtocolException>(() => sequence.Accept(3));
        Assert.Contains("expected 2, got 3", gap.Message);
        sequence.Accept(2);
        Assert.Equal(2UL, sequence.Last);
    }

    [Theory]
    [InlineData(Route.ExchangeMessages, true)]
    [InlineData(Route.CloseTransport, true)]
    [InlineData(Route.Ping, true)]
    [InlineData(Route.Pong, true)]
    [InlineData(Route.Identity, false)]
    [InlineData(Route.SendChallenge, false)]
    [InlineData(Route.SessionData, true)]
    [InlineData(Route.ResumeRequest, false)]
    public void RoutePolicy_allows_only_messages_close_keep_alive_and_session_data_when_established(object routeValue, bool allowed)
    {
        // Boxed: xunit theories must be public, Route is internal to the library.
        var route = (Route)routeValue;
        Assert.Equal(allowed, RoutePolicy.IsAllowedWhenEstablished(route));
        if (!allowed)
        {
            var e = Assert.Throws<KamuneProtocolException>(() => RoutePolicy.EnsureAllowedWhenEstablished(route));
            Assert.Equal(KamuneError.UnexpectedRoute, e.Error);
        }
    }

    [Fact]
    public void RoutePolicy_calls_an_undefined_route_invalid()
    {
        var e = Assert.Throws<KamuneProtocolException>(() => RoutePolicy.Expect(Route.Identity, (Route)14, SessionPhase.Introduction));
        Assert.Equal(KamuneError.InvalidRoute, e.Error);
    }
}

using Google.Protobuf;
using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Wire;
using HandshakeMessage = Kamune.Wire.Handshake;

namespace Kamune.Tests.Session;

public sealed class HandshakePhaseTests
{
    private static byte[] Response(PureSession s, IdentityKeyPair signer, Route route, Action<HandshakeMessage>? change = null)
    {
        var handshake = new HandshakeMessage
        {
            Key = ByteString.CopyFrom(new byte[1088]),
            Salt = ByteString.CopyFrom(new byte[16]),
            SessionKey = "ABCDEFGHIJKL",
        };
        change?.Invoke(handshake);
        return Envelope.Encode(signer, handshake.ToByteArray(), MetadataFactory.Handshake(route, s.Clock, s.ResponderRandom), s.ResponderRandom);
    }

    private static KamuneProtocolException InitiatorRejects(PureSession s, byte[] response)
    {
        using var initiator = new HandshakeInitiator(s.InitiatorKey, s.ResponderKey.PublicIdentity, s.Clock, s.InitiatorRandom);
        initiator.CreateRequest();
        return Assert.Throws<KamuneProtocolException>(() => initiator.OnResponse(response));
    }

    [Fact]
    public void Request_carries_ID_Timestamp_and_route_with_sequence_zero_and_valid_fields()
    {
        using var s = new PureSession();
        using var initiator = new HandshakeInitiator(s.InitiatorKey, s.ResponderKey.PublicIdentity, s.Clock, s.InitiatorRandom);
        var verified = Envelope.Open(initiator.CreateRequest(), s.InitiatorKey.PublicIdentity);
        Assert.Equal(Route.RequestHandshake, verified.Route);
        Assert.Equal(0UL, verified.Sequence);
        Assert.Equal(MetadataFactory.IdLength, verified.Metadata.ID.Length);
        HandshakeValidation.ValidateRequest(HandshakeMessage.Parser.ParseFrom(verified.Data.Span));
    }

    [Fact]
    public void Initiator_rejects_a_response_on_the_request_route()
    {
        using var s = new PureSession();
        var e = InitiatorRejects(s, Response(s, s.ResponderKey, Route.RequestHandshake));
        Assert.Equal(KamuneError.UnexpectedRoute, e.Error);
        Assert.Contains("expected route AcceptHandshake, got RequestHandshake", e.Message);
    }

    [Fact]
    public void Initiator_rejects_a_response_signed_by_another_key()
    {
        using var s = new PureSession();
        var e = InitiatorRejects(s, Response(s, s.InitiatorKey, Route.AcceptHandshake));
        Assert.Equal(KamuneError.InvalidSignature, e.Error);
    }

    [Fact]
    public void Initiator_rejects_a_response_with_a_short_salt()
    {
        using var s = new PureSession();
        var e = InitiatorRejects(s, Response(s, s.ResponderKey, Route.AcceptHandshake, h => h.Salt = ByteString.CopyFrom(new byte[15])));
        Assert.Equal(KamuneError.InvalidHandshake, e.Error);
    }

    private static KamuneProtocolException ResponderRejects(PureSession s, Route route, string sessionKey)
    {
        var responder = new HandshakeResponder(s.ResponderKey, s.InitiatorKey.PublicIdentity, s.Clock, s.ResponderRandom);
        var request = Envelope.Encode(
            s.InitiatorKey,
            new HandshakeMessage { Key = ByteString.CopyFrom(new byte[1184]), Salt = ByteString.CopyFrom(new byte[16]), SessionKey = sessionKey }.ToByteArray(),
            MetadataFactory.Handshake(route, s.Clock, s.InitiatorRandom),
            s.InitiatorRandom);
        return Assert.Throws<KamuneProtocolException>(() => responder.OnRequest(request));
    }

    [Fact]
    public void Responder_rejects_a_request_on_the_accept_route()
    {
        using var s = new PureSession();
        Assert.Equal(KamuneError.UnexpectedRoute, ResponderRejects(s, Route.AcceptHandshake, "ABCDEFGHIJKL").Error);
    }

    [Fact]
    public void Responder_rejects_a_session_prefix_outside_the_alphabet()
    {
        using var s = new PureSession();
        Assert.Equal(KamuneError.InvalidHandshake, ResponderRejects(s, Route.RequestHandshake, "abcdefghijkl").Error);
    }
}

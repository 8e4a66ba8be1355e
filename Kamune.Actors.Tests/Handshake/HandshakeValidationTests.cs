using Google.Protobuf;
using Kamune.Protocol;

namespace Kamune.Tests.Handshake;

public class HandshakeValidationTests
{
    private static Wire.Handshake Message(int keyLength, int saltLength = 16, string sessionKey = "ABCDEFGHIJKL") => new()
    {
        Key = ByteString.CopyFrom(new byte[keyLength]),
        Salt = ByteString.CopyFrom(new byte[saltLength]),
        SessionKey = sessionKey,
    };

    [Fact]
    public void Well_formed_request_and_response_pass()
    {
        HandshakeValidation.ValidateRequest(Message(1184));
        HandshakeValidation.ValidateResponse(Message(1088));
        HandshakeValidation.ValidateRequest(Message(1184, sessionKey: "ABCDEFGHIJKLMNOPQRST2345"), resumed: true);
        HandshakeValidation.ValidateResponse(Message(1088, sessionKey: "ABCDEFGHIJKLMNOPQRST2345"), resumed: true);
    }

    [Theory]
    [InlineData(0, "expected 16 bytes, got 0")]
    [InlineData(15, "expected 16 bytes, got 15")]
    [InlineData(32, "expected 16 bytes, got 32")]
    public void Salt_of_the_wrong_length_is_rejected(int saltLength, string detail)
    {
        AssertInvalid(() => HandshakeValidation.ValidateRequest(Message(1184, saltLength)), detail);
        AssertInvalid(() => HandshakeValidation.ValidateResponse(Message(1088, saltLength)), detail);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1088)]
    [InlineData(1185)]
    public void Request_with_a_key_that_is_not_an_ML_KEM_768_encapsulation_key_is_rejected(int keyLength)
    {
        AssertInvalid(() => HandshakeValidation.ValidateRequest(Message(keyLength)), $"expected 1184 bytes, got {keyLength}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1087)]
    [InlineData(1184)]
    public void Response_with_a_key_that_is_not_an_ML_KEM_768_ciphertext_is_rejected(int keyLength)
    {
        AssertInvalid(() => HandshakeValidation.ValidateResponse(Message(keyLength)), $"expected 1088 bytes, got {keyLength}");
    }

    [Fact]
    public void Session_keys_are_checked_on_both_sides()
    {
        AssertInvalid(() => HandshakeValidation.ValidateRequest(Message(1184, sessionKey: "abcdefghijkl")), "U+0061 at index 0");
        AssertInvalid(() => HandshakeValidation.ValidateResponse(Message(1088, sessionKey: "")), "expected 12 characters, got 0");
        AssertInvalid(() => HandshakeValidation.ValidateRequest(Message(1184), resumed: true), "expected 24 characters, got 12");
    }

    private static void AssertInvalid(Action validate, string detail)
    {
        var error = Assert.Throws<KamuneProtocolException>(validate);
        Assert.Equal(KamuneError.InvalidHandshake, error.Error);
        Assert.Contains(detail, error.Message);
    }
}

using Kamune.Crypto;
using Kamune.Protocol.Session;
using Kamune.Tests.Vectors;
using HandshakeMessage = Kamune.Wire.Handshake;

namespace Kamune.Tests.Session;

/// <summary>
/// go-reference-0.7.0.json "handshake_chain": from the Go handshake's secret and its two Handshake messages, each
/// role's ciphers use the Go keys and its challenge token is the Go token for its own direction.
/// </summary>
public sealed class GoReferenceVectors_HandshakePhaseTests
{
    private static readonly System.Text.Json.JsonElement Chain = VectorFile.GoReference.GetProperty("handshake_chain");

    [Theory]
    [InlineData(SessionRole.Initiator, "key_c2s", "key_s2c", "challenge_c2s")]
    [InlineData(SessionRole.Responder, "key_s2c", "key_c2s", "challenge_s2c")]
    public void Derive_matches_the_Go_keys_and_token_for_each_role(SessionRole role, string sendKey, string receiveKey, string token)
    {
        var request = HandshakeMessage.Parser.ParseFrom(VectorFile.Hex(Chain.GetProperty("request_handshake_pb")));
        var response = HandshakeMessage.Parser.ParseFrom(VectorFile.Hex(Chain.GetProperty("response_handshake_pb")));
        using var result = HandshakePhase.Derive(role, VectorFile.Hex(Chain.GetProperty("secret")), request, response, new DeterministicRandomSource(7));

        Assert.Equal(Chain.GetProperty("session_id").GetString(), result.SessionId);
        Assert.Equal(VectorFile.Hex(Chain.GetProperty(token)), result.ChallengeToken.ToArray());

        // The sealer must use the Go send key: open its output with that key directly.
        var sealedPayload = result.Sealer.Seal("probe"u8);
        var opened = new byte[sealedPayload.Length - 40];
        Assert.True(XChaCha20Poly1305.TryOpen(VectorFile.Hex(Chain.GetProperty(sendKey)), sealedPayload.AsSpan(0, 24), sealedPayload.AsSpan(24), opened));
        Assert.Equal("probe"u8.ToArray(), opened);

        // The opener must use the Go receive key: open a payload sealed with that key directly.
        var nonce = new byte[24];
        var payload = new byte[24 + 5 + 16];
        XChaCha20Poly1305.Seal(VectorFile.Hex(Chain.GetProperty(receiveKey)), nonce, "probe"u8, payload.AsSpan(24));
        Assert.Equal("probe"u8.ToArray(), result.Opener.Open(payload));
        result.Sealer.Dispose();
        result.Opener.Dispose();
    }
}

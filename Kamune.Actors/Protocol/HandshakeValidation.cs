using Kamune.Crypto;
using Kamune.Wire;

namespace Kamune.Protocol;

/// <summary>
/// Checks the untrusted fields of a received Handshake before any of them is used (protocol.md
/// "Flow" step 3). Every failure is <see cref="KamuneError.InvalidHandshake"/> with "expected X, got Y".
/// </summary>
internal static class HandshakeValidation
{
    /// <summary>The initiator's request: ML-KEM-768 encapsulation key, 16-byte salt, session prefix (whole ID when resumed).</summary>
    public static void ValidateRequest(Handshake req, bool resumed = false)
    {
        ArgumentNullException.ThrowIfNull(req);
        Validate(req, MlKem768KeyPair.EncapsulationKeySize, "encapsulation key", resumed);
    }

    /// <summary>
    /// The responder's reply: ML-KEM-768 ciphertext, 16-byte salt, session suffix. On a resumed
    /// handshake the Go responder echoes the whole 24-character session ID instead of a suffix.
    /// </summary>
    public static void ValidateResponse(Handshake resp, bool resumed = false)
    {
        ArgumentNullException.ThrowIfNull(resp);
        Validate(resp, MlKem768.CiphertextSize, "ciphertext", resumed);
    }

    private static void Validate(Handshake message, int keySize, string keyName, bool resumed)
    {
        if (message.Salt.Length != KeySchedule.SaltSize)
        {
            throw new KamuneProtocolException(
                KamuneError.InvalidHandshake,
                $"handshake salt: expected {KeySchedule.SaltSize} bytes, got {message.Salt.Length}.");
        }

        SessionId.ValidateHalf(message.SessionKey, resumed);

        if (message.Key.Length != keySize)
        {
            throw new KamuneProtocolException(
                KamuneError.InvalidHandshake,
                $"handshake {keyName}: expected {keySize} bytes, got {message.Key.Length}.");
        }
    }
}

using System.Buffers.Binary;
using Kamune.Crypto;

namespace Kamune.Protocol;

/// <summary>
/// The three raw frames of the exchange (protocol.md "Flow for a new session", step 1):
/// 1. I -> R: I's X-Wing public key (1216 bytes).
/// 2. R -> I: uint16be(len(enc_R)) || enc_R (1120) || R's X-Wing public key (1216) = 2338 bytes.
/// 3. I -> R: enc_I (1120 bytes).
/// Parsing is strict: any other size is <see cref="KamuneError.MalformedExchange"/>.
/// </summary>
internal static class ExchangeMessages
{
    private const int LengthPrefixSize = 2;

    /// <summary>Size of frame 2, the responder hello.</summary>
    public const int ResponderHelloSize = LengthPrefixSize + XWing.CiphertextSize + XWingKeyPair.PublicKeySize;

    public static void ValidateInitiatorKey(ReadOnlySpan<byte> frame) =>
        RequireLength("initiator public key", XWingKeyPair.PublicKeySize, frame.Length);

    public static byte[] EncodeResponderHello(ReadOnlySpan<byte> encR, ReadOnlySpan<byte> responderPublicKey)
    {
        if (encR.Length != XWing.CiphertextSize || responderPublicKey.Length != XWingKeyPair.PublicKeySize)
        {
            throw new ArgumentException(
                $"Responder hello parts: expected enc {XWing.CiphertextSize} and public key {XWingKeyPair.PublicKeySize} bytes, " +
                $"got {encR.Length} and {responderPublicKey.Length}.");
        }

        var frame = new byte[ResponderHelloSize];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)encR.Length);
        encR.CopyTo(frame.AsSpan(LengthPrefixSize));
        responderPublicKey.CopyTo(frame.AsSpan(LengthPrefixSize + encR.Length));
        return frame;
    }

    public static (ReadOnlyMemory<byte> Enc, ReadOnlyMemory<byte> PublicKey) ParseResponderHello(ReadOnlyMemory<byte> frame)
    {
        if (frame.Length < LengthPrefixSize)
        {
            throw Malformed("responder hello", $"at least {LengthPrefixSize} bytes", $"{frame.Length}");
        }

        var encLength = BinaryPrimitives.ReadUInt16BigEndian(frame.Span);
        if (encLength != XWing.CiphertextSize)
        {
            throw Malformed("responder hello enc length", $"{XWing.CiphertextSize}", $"{encLength}");
        }

        RequireLength("responder hello", ResponderHelloSize, frame.Length);
        return (frame.Slice(LengthPrefixSize, encLength), frame[(LengthPrefixSize + encLength)..]);
    }

    public static void ValidateInitiatorEnc(ReadOnlySpan<byte> frame) =>
        RequireLength("initiator enc", XWing.CiphertextSize, frame.Length);

    private static void RequireLength(string what, int expected, int got)
    {
        if (got != expected)
        {
            throw Malformed(what, $"{expected} bytes", $"{got}");
        }
    }

    private static KamuneProtocolException Malformed(string what, string expected, string got) =>
        new(KamuneError.MalformedExchange, $"Exchange {what}: expected {expected}, got {got}.");
}

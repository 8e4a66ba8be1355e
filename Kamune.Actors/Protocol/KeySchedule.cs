using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Kamune.Wire;

namespace Kamune.Protocol;

/// <summary>Which way a session key or challenge token protects traffic: I->R or R->I.</summary>
internal enum Direction
{
    /// <summary>Initiator (dialer) to responder (listener).</summary>
    ClientToServer,

    /// <summary>Responder (listener) to initiator (dialer).</summary>
    ServerToClient,
}

/// <summary>
/// Every secret derived from the ML-KEM shared secret: the two session keys and the transcript hash
/// (protocol.md "Flow" step 3), the challenge tokens (step 4) and the resumption root and tokens
/// ("Resumption"). All derivations are HKDF-SHA512 with 32-byte outputs.
/// </summary>
internal static class KeySchedule
{
    public const int KeySize = 32;
    public const int SaltSize = 16;
    public const int TranscriptHashSize = 32;

    private const string ClientToServerLabel = "kamune/handshake/client-to-server/v1/";
    private const string ServerToClientLabel = "kamune/handshake/server-to-client/v1/";
    private const string TranscriptLabel = "kamune/handshake/v1";
    private const string ResumptionRootInfo = "kamune/resumption-root/v1";

    // The upstream SPEC text omits the trailing "v1/"; the Go code has it (protocol.md "Resumption").
    private const string ResumptionTokenLabel = "kamune/resumption/token/v1/";

    public static string DirectionLabel(Direction d) => d switch
    {
        Direction.ClientToServer => ClientToServerLabel,
        Direction.ServerToClient => ServerToClientLabel,
        _ => throw new ArgumentOutOfRangeException(nameof(d), d, "expected ClientToServer or ServerToClient"),
    };

    /// <summary>Session key for one direction: HKDF-SHA512(secret, salt = the sender's salt, info = label || sessionID).</summary>
    public static void DirectionKey(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> senderSalt, string sessionId, Direction d, Span<byte> key32)
    {
        CheckSecret(secret);
        CheckOutput(key32, nameof(key32));
        if (senderSalt.Length != SaltSize)
        {
            throw new ArgumentException($"sender salt: expected {SaltSize} bytes, got {senderSalt.Length}.", nameof(senderSalt));
        }

        HKDF.DeriveKey(HashAlgorithmName.SHA512, secret, key32, senderSalt, DirectionInfo(sessionId, d));
    }

    /// <summary>
    /// SHA-256("kamune/handshake/v1" || uint32be(len) || field, for req.Key, req.Salt, req.SessionKey,
    /// resp.Key, resp.Salt, resp.SessionKey): binds the challenges to the inner Handshake fields only,
    /// never to envelope bytes (padding, metadata).
    /// </summary>
    public static byte[] TranscriptHash(Handshake request, Handshake response) => SHA256.HashData(TranscriptPreimage(request, response));

    /// <summary>Challenge token: HKDF-SHA512(secret, salt = empty, info = sessionID || "|" || label || "|" || transcriptHash).</summary>
    public static void ChallengeToken(ReadOnlySpan<byte> secret, string sessionId, Direction d, ReadOnlySpan<byte> transcriptHash, Span<byte> token32)
    {
        CheckSecret(secret);
        CheckOutput(token32, nameof(token32));
        if (transcriptHash.Length != TranscriptHashSize)
        {
            throw new ArgumentException(
                $"transcript hash: expected {TranscriptHashSize} bytes, got {transcriptHash.Length}.", nameof(transcriptHash));
        }

        HKDF.DeriveKey(HashAlgorithmName.SHA512, secret, token32, ReadOnlySpan<byte>.Empty, ChallengeInfo(sessionId, d, transcriptHash));
    }

    /// <summary>
    /// HKDF-SHA512(secret, salt = UTF-8 sessionID, info = "kamune/resumption-root/v1"), into the caller's buffer as
    /// every derived secret here is: <see cref="ResumptionKeys"/> holds it pinned and wipes it.
    /// </summary>
    public static void ResumptionRoot(ReadOnlySpan<byte> secret, string sessionId, Span<byte> root32)
    {
        CheckSecret(secret);
        CheckOutput(root32, nameof(root32));
        ArgumentNullException.ThrowIfNull(sessionId);
        HKDF.DeriveKey(HashAlgorithmName.SHA512, secret, root32, Encoding.UTF8.GetBytes(sessionId), Encoding.ASCII.GetBytes(ResumptionRootInfo));
    }

    /// <summary>token[i] = HKDF-SHA512(root, salt = empty, info = "kamune/resumption/token/v1/" || uint32be(i)).</summary>
    public static void ResumptionToken(ReadOnlySpan<byte> root, uint index, Span<byte> token32)
    {
        if (root.Length != KeySize)
        {
            throw new ArgumentException($"resumption root: expected {KeySize} bytes, got {root.Length}.", nameof(root));
        }

        CheckOutput(token32, nameof(token32));
        HKDF.DeriveKey(HashAlgorithmName.SHA512, root, token32, ReadOnlySpan<byte>.Empty, ResumptionTokenInfo(index));
    }

    internal static byte[] DirectionInfo(string sessionId, Direction d)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        return Encoding.UTF8.GetBytes(DirectionLabel(d) + sessionId);
    }

    internal static byte[] ChallengeInfo(string sessionId, Direction d, ReadOnlySpan<byte> transcriptHash)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        var text = Encoding.UTF8.GetBytes(sessionId + "|" + DirectionLabel(d) + "|");
        var info = new byte[text.Length + transcriptHash.Length];
        text.CopyTo(info, 0);
        transcriptHash.CopyTo(info.AsSpan(text.Length));
        return info;
    }

    internal static byte[] ResumptionTokenInfo(uint index)
    {
        var info = new byte[ResumptionTokenLabel.Length + sizeof(uint)];
        Encoding.ASCII.GetBytes(ResumptionTokenLabel, info);
        BinaryPrimitives.WriteUInt32BigEndian(info.AsSpan(ResumptionTokenLabel.Length), index);
        return info;
    }

    internal static byte[] TranscriptPreimage(Handshake request, Handshake response)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        var requestSessionKey = Encoding.UTF8.GetBytes(request.SessionKey);
        var responseSessionKey = Encoding.UTF8.GetBytes(response.SessionKey);
        var length = TranscriptLabel.Length + (6 * sizeof(uint))
            + request.Key.Length + request.Salt.Length + requestSessionKey.Length
            + response.Key.Length + response.Salt.Length + responseSessionKey.Length;

        var preimage = new byte[length];
        var offset = Encoding.ASCII.GetBytes(TranscriptLabel, preimage);
        offset = AppendField(preimage, offset, request.Key.Span);
        offset = AppendField(preimage, offset, request.Salt.Span);
        offset = AppendField(preimage, offset, requestSessionKey);
        offset = AppendField(preimage, offset, response.Key.Span);
        offset = AppendField(preimage, offset, response.Salt.Span);
        AppendField(preimage, offset, responseSessionKey);
        return preimage;
    }

    private static int AppendField(byte[] destination, int offset, ReadOnlySpan<byte> field)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination.AsSpan(offset), (uint)field.Length);
        field.CopyTo(destination.AsSpan(offset + sizeof(uint)));
        return offset + sizeof(uint) + field.Length;
    }

    private static void CheckSecret(ReadOnlySpan<byte> secret)
    {
        if (secret.Length != KeySize)
        {
            throw new ArgumentException($"shared secret: expected {KeySize} bytes, got {secret.Length}.", nameof(secret));
        }
    }

    private static void CheckOutput(Span<byte> output, string name)
    {
        if (output.Length != KeySize)
        {
            throw new ArgumentException($"output: expected {KeySize} bytes, got {output.Length}.", name);
        }
    }
}

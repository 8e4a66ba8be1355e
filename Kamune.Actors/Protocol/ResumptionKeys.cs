using System.Security.Cryptography;

namespace Kamune.Protocol;

/// <summary>
/// One session's resumption root (protocol.md "Resumption"), held like the other derived secrets: one pinned buffer,
/// so a compacting GC leaves no copy behind, wiped on <see cref="Dispose"/> (docs/security.md "Key hygiene"). Tokens
/// are derived from it into the caller's buffer (stack or pinned), never returned as a fresh array. No session resumes
/// yet; the Go reference's vectors pin the derivation.
/// </summary>
internal sealed class ResumptionKeys : IDisposable
{
    private readonly byte[] _root = GC.AllocateArray<byte>(KeySchedule.KeySize, pinned: true);
    private bool _disposed;

    private ResumptionKeys()
    {
    }

    /// <summary>The root for <paramref name="sessionId"/> from the handshake's ML-KEM shared secret.</summary>
    public static ResumptionKeys Derive(ReadOnlySpan<byte> secret, string sessionId)
    {
        var keys = new ResumptionKeys();
        try
        {
            KeySchedule.ResumptionRoot(secret, sessionId, keys._root);
            return keys;
        }
        catch
        {
            keys.Dispose();
            throw;
        }
    }

    /// <summary>The root as held, for the vector and hygiene tests.</summary>
    internal byte[] RootBuffer => _root;

    /// <summary>token[<paramref name="index"/>] into <paramref name="token32"/>; the caller wipes it.</summary>
    public void Token(uint index, Span<byte> token32)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        KeySchedule.ResumptionToken(_root, index, token32);
    }

    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_root);
    }
}

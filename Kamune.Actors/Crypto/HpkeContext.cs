using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kamune.Crypto;

/// <summary>
/// The RFC 9180 section 5.2 encryption context shared by both roles: ChaCha20-Poly1305 with
/// nonce = base_nonce XOR uint64be(seq) in the last 8 of its 12 bytes, seq starting at 0.
/// </summary>
internal sealed class HpkeCipherState : IDisposable
{
    private readonly HpkeKeys _keys;
    private readonly ChaCha20Poly1305 _aead;
    private bool _disposed;

    public HpkeCipherState(HpkeKeys keys)
    {
        _keys = keys;
        try
        {
            // .NET hands the key to an OpenSSL cipher context, which cleanses it when Dispose frees the context;
            // our copy is not needed past this line.
            _aead = new ChaCha20Poly1305(keys.Key);
        }
        catch
        {
            keys.Wipe();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keys.Key);
        }
    }

    public ulong Sequence { get; private set; }

    public int Seal(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (ciphertext.Length < plaintext.Length + Hpke.Overhead)
        {
            throw new ArgumentException(
                $"HPKE ciphertext buffer: expected at least {plaintext.Length + Hpke.Overhead} bytes, got {ciphertext.Length}.",
                nameof(ciphertext));
        }

        // RFC 9180 5.2: the sender must never reuse a nonce, so the last sequence number is refused.
        if (Sequence == ulong.MaxValue)
        {
            throw new InvalidOperationException($"HPKE sender sequence exhausted: expected below {ulong.MaxValue}, got {Sequence}.");
        }

        Span<byte> nonce = stackalloc byte[HpkeSuite.NonceSize];
        ComputeNonce(nonce);
        _aead.Encrypt(nonce, plaintext, ciphertext[..plaintext.Length], ciphertext.Slice(plaintext.Length, Hpke.Overhead), aad);
        Sequence++;
        return plaintext.Length + Hpke.Overhead;
    }

    public bool TryOpen(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, out int written)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        written = 0;
        if (ciphertext.Length < Hpke.Overhead || Sequence == ulong.MaxValue)
        {
            return false;
        }

        var length = ciphertext.Length - Hpke.Overhead;
        if (plaintext.Length < length)
        {
            throw new ArgumentException(
                $"HPKE plaintext buffer: expected at least {length} bytes, got {plaintext.Length}.", nameof(plaintext));
        }

        Span<byte> nonce = stackalloc byte[HpkeSuite.NonceSize];
        ComputeNonce(nonce);
        try
        {
            _aead.Decrypt(nonce, ciphertext[..length], ciphertext[length..], plaintext[..length], aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            // A failed open leaves the sequence where it was (RFC 9180 5.2).
            return false;
        }

        Sequence++;
        written = length;
        return true;
    }

    /// <summary>
    /// RFC 9180 5.3: LabeledExpand(exporter_secret, "sec", exporter_context, L). The caller owns the returned secret
    /// (and wipes it); no session exports anything, only the vector tests call this.
    /// </summary>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var max = 255 * _keys.Suite.HashSize;
        if (length < 0 || length > max)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"HPKE export length: expected 0..{max}, got {length}.");
        }

        var output = new byte[length];
        HpkeLabels.Expand(_keys.Suite.Hash, _keys.Suite.SuiteId, _keys.ExporterSecret, "sec"u8, exporterContext, output);
        return output;
    }

    internal void SetSequenceForTest(ulong sequence) => Sequence = sequence;

    /// <summary>The buffers this context holds, for the key-hygiene tests: pinned, and zero after Dispose.</summary>
    internal HpkeKeys Keys => _keys;

    private void ComputeNonce(Span<byte> nonce)
    {
        _keys.BaseNonce.CopyTo(nonce);
        var tail = nonce[4..];
        BinaryPrimitives.WriteUInt64BigEndian(tail, BinaryPrimitives.ReadUInt64BigEndian(tail) ^ Sequence);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _aead.Dispose();
            _keys.Wipe();
            _disposed = true;
        }
    }
}

/// <summary>The sealing half of an HPKE context (RFC 9180 ContextS), aad always empty.</summary>
internal sealed class HpkeSenderContext : IDisposable
{
    private readonly HpkeCipherState _state;

    internal HpkeSenderContext(HpkeKeys keys) => _state = new HpkeCipherState(keys);

    /// <summary>The sequence number the next Seal uses.</summary>
    public ulong Sequence => _state.Sequence;

    internal HpkeCipherState State => _state;

    /// <summary>Writes ciphertext || tag (plaintext length + 16) and returns its length.</summary>
    public int Seal(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext) => _state.Seal([], plaintext, ciphertext);

    public byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        var ciphertext = new byte[plaintext.Length + Hpke.Overhead];
        _state.Seal([], plaintext, ciphertext);
        return ciphertext;
    }

    internal int Seal(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext) =>
        _state.Seal(aad, plaintext, ciphertext);

    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length) => _state.Export(exporterContext, length);

    public void Dispose() => _state.Dispose();

    public override string ToString() => $"HpkeSenderContext(seq {Sequence})";
}

/// <summary>The opening half of an HPKE context (RFC 9180 ContextR), aad always empty.</summary>
internal sealed class HpkeRecipientContext : IDisposable
{
    private readonly HpkeCipherState _state;

    internal HpkeRecipientContext(HpkeKeys keys) => _state = new HpkeCipherState(keys);

    /// <summary>The sequence number the next Open expects.</summary>
    public ulong Sequence => _state.Sequence;

    internal HpkeCipherState State => _state;

    /// <summary>False when the ciphertext is short, tampered, from another key or out of order.</summary>
    public bool TryOpen(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, out int written) =>
        _state.TryOpen([], ciphertext, plaintext, out written);

    internal bool TryOpen(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext, out int written) =>
        _state.TryOpen(aad, ciphertext, plaintext, out written);

    /// <summary>Opens the next message or throws <see cref="KamuneError.TunnelOpenFailed"/>.</summary>
    public byte[] Open(ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < Hpke.Overhead)
        {
            throw new KamuneProtocolException(
                KamuneError.TunnelOpenFailed,
                $"HPKE ciphertext: expected at least {Hpke.Overhead} bytes, got {ciphertext.Length}.");
        }

        var plaintext = new byte[ciphertext.Length - Hpke.Overhead];
        if (!_state.TryOpen([], ciphertext, plaintext, out _))
        {
            throw new KamuneProtocolException(
                KamuneError.TunnelOpenFailed,
                $"HPKE open at sequence {Sequence}: expected an authentic message, got one that failed authentication.");
        }

        return plaintext;
    }

    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length) => _state.Export(exporterContext, length);

    public void Dispose() => _state.Dispose();

    public override string ToString() => $"HpkeRecipientContext(seq {Sequence})";
}

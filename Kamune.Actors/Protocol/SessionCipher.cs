using System.Buffers.Binary;
using System.Security.Cryptography;
using Kamune.Crypto;

namespace Kamune.Protocol;

/// <summary>
/// Encrypts one direction of a session (protocol.md "Layers" 4): payload = nonce(24) || ciphertext ||
/// tag(16), no AAD. The nonce is a 16-byte random prefix drawn once from the injected random source
/// followed by an 8-byte little-endian message counter (protocol.md "Where this project deliberately
/// goes further"), so it is unique by construction and Go peers read it like any random nonce.
/// </summary>
internal sealed class SessionSealer : IDisposable
{
    public const int Overhead = XChaCha20Poly1305.NonceSize + XChaCha20Poly1305.TagSize;
    public const int NoncePrefixSize = 16;

    private readonly byte[] _key = GC.AllocateUninitializedArray<byte>(XChaCha20Poly1305.KeySize, pinned: true);
    private readonly byte[] _prefix = new byte[NoncePrefixSize];
    private ulong _nextCounter;
    private bool _disposed;

    public SessionSealer(ReadOnlySpan<byte> key32, IRandomSource random)
        : this(key32, random, 0)
    {
    }

    /// <summary>Starts at <paramref name="firstCounter"/>: lets tests reach counter exhaustion without 2^64 seals.</summary>
    internal SessionSealer(ReadOnlySpan<byte> key32, IRandomSource random, ulong firstCounter)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (key32.Length != XChaCha20Poly1305.KeySize)
        {
            throw new ArgumentException($"session key: expected {XChaCha20Poly1305.KeySize} bytes, got {key32.Length}.", nameof(key32));
        }

        key32.CopyTo(_key);
        random.Fill(_prefix);
        _nextCounter = firstCounter;
    }

    /// <summary>Seals <paramref name="plaintext"/> into the start of <paramref name="payload"/>; returns plaintext length + <see cref="Overhead"/>.</summary>
    public int Seal(ReadOnlySpan<byte> plaintext, Span<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var length = plaintext.Length + Overhead;
        if (payload.Length < length)
        {
            throw new ArgumentException($"payload buffer: expected at least {length} bytes, got {payload.Length}.", nameof(payload));
        }

        var nonce = payload[..XChaCha20Poly1305.NonceSize];
        _prefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[NoncePrefixSize..], ReserveCounter());
        XChaCha20Poly1305.Seal(_key, nonce, plaintext, payload[XChaCha20Poly1305.NonceSize..length]);
        return length;
    }

    /// <summary>
    /// Seals the <paramref name="plaintextLength"/> bytes that already sit at <paramref name="payload"/>[24..] in place
    /// (libsodium allows the ciphertext to start exactly where the message does), writing the nonce in front and the
    /// tag behind: <paramref name="payload"/> must be plaintextLength + <see cref="Overhead"/> bytes. Saves the hot
    /// path a buffer and a copy of the whole envelope.
    /// </summary>
    public void SealInPlace(Span<byte> payload, int plaintextLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        if (payload.Length != plaintextLength + Overhead)
        {
            throw new ArgumentException($"payload buffer: expected {plaintextLength + Overhead} bytes, got {payload.Length}.", nameof(payload));
        }

        var nonce = payload[..XChaCha20Poly1305.NonceSize];
        var body = payload[XChaCha20Poly1305.NonceSize..];
        _prefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[NoncePrefixSize..], ReserveCounter());
        XChaCha20Poly1305.Seal(_key, nonce, body[..plaintextLength], body);
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        var payload = new byte[plaintext.Length + Overhead];
        Seal(plaintext, payload);
        return payload;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_key);
            _disposed = true;
        }
    }

    public override string ToString() => nameof(SessionSealer);

    // Atomic so that even a sealer shared across threads never hands out one counter twice.
    // ulong.MaxValue is never used: it marks the counter as spent, so exhaustion stays sticky.
    private ulong ReserveCounter()
    {
        while (true)
        {
            var current = Volatile.Read(ref _nextCounter);
            if (current == ulong.MaxValue)
            {
                throw new InvalidOperationException(
                    "session nonce counter exhausted: expected a fresh session key, got a request to seal with a spent counter.");
            }

            if (Interlocked.CompareExchange(ref _nextCounter, current + 1, current) == current)
            {
                return current;
            }
        }
    }
}

/// <summary>
/// Decrypts one direction of a session. The nonce is read from the payload itself, so payloads from
/// Go peers (random nonces) and from <see cref="SessionSealer"/> (prefix and counter) open alike.
/// Replays are caught one layer up by the transport sequence numbers (protocol.md "Flow" step 5).
/// </summary>
internal sealed class SessionOpener : IDisposable
{
    private readonly byte[] _key = GC.AllocateUninitializedArray<byte>(XChaCha20Poly1305.KeySize, pinned: true);
    private bool _disposed;

    public SessionOpener(ReadOnlySpan<byte> key32)
    {
        if (key32.Length != XChaCha20Poly1305.KeySize)
        {
            throw new ArgumentException($"session key: expected {XChaCha20Poly1305.KeySize} bytes, got {key32.Length}.", nameof(key32));
        }

        key32.CopyTo(_key);
    }

    /// <summary>
    /// Opens <paramref name="payload"/> into the start of <paramref name="plaintext"/>. Returns false
    /// when the payload is shorter than <see cref="SessionSealer.Overhead"/> or fails authentication.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> payload, Span<byte> plaintext, out int written)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        written = 0;
        if (payload.Length < SessionSealer.Overhead)
        {
            return false;
        }

        var length = payload.Length - SessionSealer.Overhead;
        if (plaintext.Length < length)
        {
            throw new ArgumentException($"plaintext buffer: expected at least {length} bytes, got {plaintext.Length}.", nameof(plaintext));
        }

        if (!XChaCha20Poly1305.TryOpen(_key, payload[..XChaCha20Poly1305.NonceSize], payload[XChaCha20Poly1305.NonceSize..], plaintext[..length]))
        {
            return false;
        }

        written = length;
        return true;
    }

    /// <summary>Opens <paramref name="payload"/>; a short or forged payload is <see cref="KamuneError.DecryptionFailed"/>.</summary>
    public byte[] Open(ReadOnlySpan<byte> payload)
    {
        var plaintext = new byte[PlaintextLength(payload)];
        Open(payload, plaintext);
        return plaintext;
    }

    /// <summary>
    /// Opens <paramref name="payload"/> into <paramref name="plaintext"/> (exactly <see cref="PlaintextLength"/> bytes),
    /// failing like <see cref="Open(ReadOnlySpan{byte})"/>; on failure <paramref name="plaintext"/> is cleared.
    /// </summary>
    public void Open(ReadOnlySpan<byte> payload, Span<byte> plaintext)
    {
        var length = PlaintextLength(payload);
        if (plaintext.Length != length)
        {
            throw new ArgumentException($"plaintext buffer: expected {length} bytes, got {plaintext.Length}.", nameof(plaintext));
        }

        if (!TryOpen(payload, plaintext, out _))
        {
            throw new KamuneProtocolException(
                KamuneError.DecryptionFailed,
                $"session payload of {payload.Length} bytes: expected a valid XChaCha20-Poly1305 tag, got one that does not authenticate.");
        }
    }

    /// <summary>The plaintext length of <paramref name="payload"/>; a payload shorter than the overhead is <see cref="KamuneError.DecryptionFailed"/>.</summary>
    public int PlaintextLength(ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (payload.Length < SessionSealer.Overhead)
        {
            throw new KamuneProtocolException(
                KamuneError.DecryptionFailed,
                $"session payload: expected at least {SessionSealer.Overhead} bytes, got {payload.Length}.");
        }

        return payload.Length - SessionSealer.Overhead;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_key);
            _disposed = true;
        }
    }

    public override string ToString() => nameof(SessionOpener);
}

using System.Security.Cryptography;
using Kamune.Crypto;

namespace Kamune;

/// <summary>
/// A peer's Ed25519 public key. On the wire (Introduce.PublicKey) it travels as the 44-byte PKIX
/// SubjectPublicKeyInfo DER that Go's x509.MarshalPKIXPublicKey writes (protocol.md "Messages").
/// </summary>
public sealed class PublicIdentity : IEquatable<PublicIdentity>
{
    /// <summary>Bytes in the PKIX DER form (<see cref="Pkix"/>): a 12-byte Ed25519 prefix and the raw key.</summary>
    public const int PkixLength = 44;

    /// <summary>Bytes in the raw Ed25519 public key (<see cref="Raw"/>).</summary>
    public const int RawLength = 32;

    /// <summary>Bytes in an Ed25519 signature; <see cref="Verify"/> refuses any other length.</summary>
    public const int SignatureLength = 64;

    // SEQUENCE { SEQUENCE { OID 1.3.101.112 (id-Ed25519) }, BIT STRING (0 unused bits) { key } }.
    private static ReadOnlySpan<byte> PkixPrefix =>
        [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

    private readonly byte[] _raw;
    private readonly byte[] _pkix;
    private Fingerprint? _fingerprint;

    private PublicIdentity(ReadOnlySpan<byte> raw)
    {
        _raw = raw.ToArray();
        _pkix = new byte[PkixLength];
        PkixPrefix.CopyTo(_pkix);
        raw.CopyTo(_pkix.AsSpan(PkixPrefix.Length));
    }

    /// <summary>
    /// Reads the exact 44-byte Ed25519 SPKI and nothing else: any other length, algorithm or DER shape is
    /// attacker input and fails with <see cref="KamuneError.InvalidPublicKey"/>.
    /// </summary>
    public static PublicIdentity FromPkix(ReadOnlySpan<byte> der)
    {
        if (der.Length != PkixLength)
        {
            throw new KamuneProtocolException(
                KamuneError.InvalidPublicKey,
                $"Ed25519 PKIX public key: expected {PkixLength} bytes, got {der.Length}.");
        }

        if (!der[..PkixPrefix.Length].SequenceEqual(PkixPrefix))
        {
            throw new KamuneProtocolException(
                KamuneError.InvalidPublicKey,
                $"Ed25519 PKIX public key: expected DER prefix {Convert.ToHexStringLower(PkixPrefix)}, got {Convert.ToHexStringLower(der[..PkixPrefix.Length])}.");
        }

        return new PublicIdentity(der[PkixPrefix.Length..]);
    }

    /// <summary>
    /// Like <see cref="FromPkix"/> but returns false instead of throwing, for callers that treat a bad key as a
    /// plain verdict.
    /// </summary>
    public static bool TryFromPkix(ReadOnlySpan<byte> der, out PublicIdentity? identity)
    {
        identity = der.Length == PkixLength && der[..PkixPrefix.Length].SequenceEqual(PkixPrefix)
            ? new PublicIdentity(der[PkixPrefix.Length..])
            : null;
        return identity is not null;
    }

    /// <summary>
    /// The identity whose raw 32-byte Ed25519 public key is <paramref name="raw32"/>; throws
    /// <see cref="ArgumentException"/> for any other length. For keys from the wire use <see cref="FromPkix"/>.
    /// </summary>
    public static PublicIdentity FromRaw(ReadOnlySpan<byte> raw32)
    {
        if (raw32.Length != RawLength)
        {
            throw new ArgumentException($"Ed25519 public key: expected {RawLength} bytes, got {raw32.Length}.", nameof(raw32));
        }

        return new PublicIdentity(raw32);
    }

    /// <summary>The 32-byte Ed25519 public key.</summary>
    public ReadOnlyMemory<byte> Raw => _raw;

    /// <summary>The 44-byte PKIX DER, as sent in Introduce.PublicKey.</summary>
    public ReadOnlyMemory<byte> Pkix => _pkix;

    /// <summary>The forms users compare this key by (SHA-256 of <see cref="Pkix"/>); computed once, on first use.</summary>
    public Fingerprint Fingerprint => _fingerprint ??= Fingerprint.OfPkix(_pkix);

    /// <summary>Default Introduce.Name: base64url without padding of SHA-256(PKIX) (protocol.md "Messages").</summary>
    public string DefaultName => Fingerprint.Base64;

    /// <summary>Checks an Ed25519 signature; any wrong length or bad signature is simply false.</summary>
    public unsafe bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength)
        {
            return false;
        }

        Sodium.EnsureInitialized();
        fixed (byte* s = signature)
        fixed (byte* m = message)
        fixed (byte* k = _raw)
        {
            return Sodium.crypto_sign_ed25519_verify_detached(s, m, (ulong)message.Length, k) == 0;
        }
    }

    /// <summary>True when <paramref name="other"/> is the same key, compared in constant time.</summary>
    public bool Equals(PublicIdentity? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(_raw, other._raw);

    /// <summary>True only for a <see cref="PublicIdentity"/> with the same key.</summary>
    public override bool Equals(object? obj) => obj is PublicIdentity other && Equals(other);

    /// <summary>The key's first 4 bytes: a public key is already uniform, so nothing more is computed.</summary>
    public override int GetHashCode() => BitConverter.ToInt32(_raw, 0);

    /// <summary>Names the key by <see cref="DefaultName"/>, its base64url fingerprint.</summary>
    public override string ToString() => $"PublicIdentity({DefaultName})";
}

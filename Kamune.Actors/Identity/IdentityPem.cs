using System.Security.Cryptography;
using Kamune.Protocol;

namespace Kamune.Identity;

/// <summary>
/// The PKCS#8 PEM form of an Ed25519 private key, byte for byte what Go's x509.MarshalPKCS8PrivateKey
/// followed by pem.Encode writes, so key files move between the Go and .NET nodes.
/// </summary>
internal static class IdentityPem
{
    public const int SeedLength = 32;
    public const int DerLength = 48;

    private const string Header = "-----BEGIN PRIVATE KEY-----";
    private const string Footer = "-----END PRIVATE KEY-----";

    // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 }, OCTET STRING { OCTET STRING (32) { seed } } } (RFC 8410 §7).
    private static ReadOnlySpan<byte> DerPrefix =>
        [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

    public static string Encode(ReadOnlySpan<byte> seed)
    {
        Span<byte> der = stackalloc byte[DerLength];
        try
        {
            DerPrefix.CopyTo(der);
            seed.CopyTo(der[DerPrefix.Length..]);

            // 48 bytes are exactly one 64-character base64 line, so Go's 64-column wrapping adds nothing else.
            return $"{Header}\n{Convert.ToBase64String(der)}\n{Footer}\n";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>Writes the 32-byte seed from a PEM; anything other than an Ed25519 PKCS#8 key fails with InvalidPrivateKey.</summary>
    public static void Decode(string pem, Span<byte> seed)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var text = pem.AsSpan().Trim();
        if (!text.StartsWith(Header, StringComparison.Ordinal) || !text.EndsWith(Footer, StringComparison.Ordinal)
            || text.Length < Header.Length + Footer.Length)
        {
            throw Invalid($"expected a \"{Header}\" ... \"{Footer}\" block, got {Describe(text)}");
        }

        var body = text[Header.Length..^Footer.Length];
        Span<byte> der = stackalloc byte[DerLength + 3];
        try
        {
            // Base64 decoding skips the line breaks; a body longer than the 48-byte DER cannot be an Ed25519 key.
            if (!Convert.TryFromBase64Chars(body, der, out var written))
            {
                throw Invalid($"expected base64 of a {DerLength}-byte PKCS#8 Ed25519 key, got undecodable or oversized base64");
            }

            if (written != DerLength)
            {
                throw Invalid($"expected a {DerLength}-byte PKCS#8 Ed25519 key, got {written} bytes");
            }

            if (!der[..DerPrefix.Length].SequenceEqual(DerPrefix))
            {
                throw Invalid("expected PKCS#8 v1 with algorithm 1.3.101.112 (Ed25519), got a different structure or algorithm");
            }

            der.Slice(DerPrefix.Length, SeedLength).CopyTo(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    // Never echo the text itself: a mangled file may still hold key material.
    private static string Describe(ReadOnlySpan<char> text) =>
        text.IsEmpty ? "empty text" : $"{text.Length} characters without those markers";

    private static KamuneProtocolException Invalid(string detail) =>
        new(KamuneError.InvalidPrivateKey, $"Private key: {detail}.");
}

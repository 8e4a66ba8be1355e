using System.Formats.Asn1;
using System.Security.Cryptography;

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
    private const string Ed25519Oid = "1.3.101.112";

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

    /// <summary>
    /// Writes the 32-byte seed from a "PRIVATE KEY" PEM; anything other than an Ed25519 PKCS#8 key fails
    /// with InvalidPrivateKey. Like Go's x509.ParsePKCS8PrivateKey it takes RFC 5958 v1 and v2
    /// (optional attributes and public key, as OpenSSL and BouncyCastle may write them); the embedded
    /// public key, when present, is returned so the caller can check it matches the seed.
    /// </summary>
    public static byte[]? Decode(string pem, Span<byte> seed)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!PemEncoding.TryFind(pem, out var fields) || !pem.AsSpan(fields.Label).SequenceEqual("PRIVATE KEY"))
        {
            throw Invalid($"expected a \"{Header}\" ... \"{Footer}\" block, got {Describe(pem.AsSpan().Trim())}");
        }

        // The one buffer that holds the decoded key: pinned, read in place (every octet string below is a slice of
        // it, never a copy), and wiped on every path.
        var der = GC.AllocateArray<byte>(fields.DecodedDataLength, pinned: true);
        try
        {
            if (!Convert.TryFromBase64Chars(pem.AsSpan(fields.Base64Data), der, out var written) || written != der.Length)
            {
                throw Invalid("expected base64 PKCS#8 data, got undecodable base64");
            }

            var publicKey = ReadOneAsymmetricKey(der, out var seedInDer);
            seedInDer.Span.CopyTo(seed);
            return publicKey;
        }
        catch (AsnContentException e)
        {
            throw new KamuneProtocolException(KamuneError.InvalidPrivateKey, "Private key: expected DER PKCS#8, got malformed ASN.1.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    // OneAsymmetricKey ::= SEQUENCE { version, privateKeyAlgorithm, privateKey OCTET STRING,
    //                                 [0] attributes OPTIONAL, [1] publicKey BIT STRING OPTIONAL } (RFC 5958, RFC 8410 §7).
    // The seed comes back as a slice of der, so wiping der wipes the only copy the decoder made.
    internal static byte[]? ReadOneAsymmetricKey(ReadOnlyMemory<byte> der, out ReadOnlyMemory<byte> seed)
    {
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        var key = reader.ReadSequence();
        reader.ThrowIfNotEmpty();

        if (!key.TryReadInt32(out var version) || version is not (0 or 1))
        {
            throw Invalid("expected PKCS#8 version 0 or 1, got another version");
        }

        var algorithm = key.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        if (oid != Ed25519Oid)
        {
            throw Invalid($"expected algorithm {Ed25519Oid} (Ed25519), got {oid}");
        }

        algorithm.ThrowIfNotEmpty();

        // ReadOctetString would copy CurvePrivateKey (and the seed inside it) into arrays nobody wipes; under DER an
        // octet string is always primitive, so TryReadPrimitiveOctetString gives the bytes where they lie.
        var inner = new AsnReader(PrimitiveOctets(key), AsnEncodingRules.DER);
        seed = PrimitiveOctets(inner);
        inner.ThrowIfNotEmpty();
        if (seed.Length != SeedLength)
        {
            throw Invalid($"expected a {SeedLength}-byte Ed25519 seed, got {seed.Length} bytes");
        }

        var attributes = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (key.HasData && key.PeekTag().HasSameClassAndValue(attributes))
        {
            key.ReadEncodedValue();
        }

        byte[]? publicKey = null;
        if (key.HasData)
        {
            publicKey = key.ReadBitString(out var unused, new Asn1Tag(TagClass.ContextSpecific, 1));
            if (unused != 0 || publicKey.Length != PublicIdentity.RawLength)
            {
                throw Invalid($"expected a {PublicIdentity.RawLength}-byte public key, got {publicKey.Length} bytes");
            }
        }

        key.ThrowIfNotEmpty();
        return publicKey;
    }

    private static ReadOnlyMemory<byte> PrimitiveOctets(AsnReader reader) =>
        reader.TryReadPrimitiveOctetString(out var contents)
            ? contents
            : throw Invalid("expected a primitive OCTET STRING, got a constructed one");

    // Never echo the text itself: a mangled file may still hold key material.
    private static string Describe(ReadOnlySpan<char> text) =>
        text.IsEmpty ? "empty text" : $"{text.Length} characters without those markers";

    private static KamuneProtocolException Invalid(string detail) =>
        new(KamuneError.InvalidPrivateKey, $"Private key: {detail}.");
}

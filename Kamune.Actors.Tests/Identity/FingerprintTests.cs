using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kamune.Tests.Identity;

public class FingerprintTests
{
    [Fact]
    public void Every_form_derives_from_sha256_of_the_pkix_key()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(4));
        var fingerprint = key.PublicIdentity.Fingerprint;
        var hash = SHA256.HashData(key.PublicIdentity.Pkix.Span);

        Assert.Equal(hash, fingerprint.Sha256.ToArray());
        Assert.Equal(Convert.ToHexString(hash).ToLowerInvariant(), fingerprint.Hex);
        Assert.Equal(string.Join(':', hash.Select(b => b.ToString("X2"))), fingerprint.HexColon);
        Assert.Equal(Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_'), fingerprint.Base64);
    }

    [Fact]
    public void Emoji_shows_eight_symbols_picked_by_each_big_endian_word()
    {
        // Two keys whose hash words agree modulo 96 show the same emoji at that position and only then.
        var sequences = new List<(byte[] Hash, IReadOnlyList<string> Emoji)>();
        for (ulong seed = 0; seed < 30; seed++)
        {
            using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(seed));
            var fingerprint = key.PublicIdentity.Fingerprint;
            Assert.Equal(Fingerprint.EmojiCount, fingerprint.EmojiSequence.Count);
            Assert.Equal(string.Join(' ', fingerprint.EmojiSequence), fingerprint.Emoji);
            sequences.Add((fingerprint.Sha256.ToArray(), fingerprint.EmojiSequence));
        }

        for (var i = 0; i < Fingerprint.EmojiCount; i++)
        {
            foreach (var a in sequences)
            {
                foreach (var b in sequences)
                {
                    var sameIndex = Word(a.Hash, i) % 96 == Word(b.Hash, i) % 96;
                    Assert.Equal(sameIndex, a.Emoji[i] == b.Emoji[i]);
                }
            }
        }
    }

    [Fact]
    public void Fingerprint_never_prints_key_bytes()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(4));
        Assert.Equal(key.PublicIdentity.DefaultName, key.PublicIdentity.Fingerprint.ToString());
    }

    [Fact]
    public void Parse_reads_each_text_form_of_a_fingerprint_back_to_an_equal_fingerprint()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(7));
        var fingerprint = key.PublicIdentity.Fingerprint;
        string[] forms =
        [
            fingerprint.Base64, fingerprint.Hex, fingerprint.Hex.ToUpperInvariant(), fingerprint.HexColon,
            fingerprint.HexColon.ToLowerInvariant(), $"  {fingerprint.Base64}\n",
        ];

        foreach (var form in forms)
        {
            var parsed = Fingerprint.Parse(form);
            Assert.Equal(fingerprint, parsed);
            Assert.Equal((fingerprint.Base64, fingerprint.Hex, fingerprint.HexColon, fingerprint.Emoji),
                (parsed.Base64, parsed.Hex, parsed.HexColon, parsed.Emoji));
            Assert.True(Fingerprint.TryParse(form, out var tried));
            Assert.Equal(fingerprint, tried);
        }
    }

    [Fact]
    public void Parse_refuses_text_in_none_of_the_forms_without_echoing_it()
    {
        using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(7));
        var fingerprint = key.PublicIdentity.Fingerprint;
        string[] malformed =
        [
            "", fingerprint.Base64[..42], fingerprint.Base64 + "=", fingerprint.Base64.Replace(fingerprint.Base64[3], '+'),
            "g" + fingerprint.Hex[1..], fingerprint.HexColon.Replace(':', '-'), fingerprint.Hex[..62] + "::",
            "z" + fingerprint.HexColon[1..],
        ];

        foreach (var text in malformed)
        {
            Assert.False(Fingerprint.TryParse(text, out var none), text);
            Assert.Null(none);
            var error = Assert.Throws<FormatException>(() => Fingerprint.Parse(text));
            Assert.Contains("expected 43 base64url characters, 64 hex digits or 32 colon-separated hex pairs", error.Message);
            Assert.DoesNotContain(fingerprint.Hex[4..20], error.Message, StringComparison.OrdinalIgnoreCase);
        }

        Assert.False(Fingerprint.TryParse(null, out _));
    }

    // Without it, fingerprint.Equals("text") binds to Equals(object) and is silently false. The C# compiler picks the
    // overload with the exact parameter type, as the reflection binder below does, and [Obsolete(error: true)] makes
    // that call a compile error (CS0619). (fingerprint == "text" has no applicable operator: CS0019.)
    [Fact]
    public void Comparing_a_fingerprint_with_a_string_binds_to_an_overload_that_is_a_compile_error()
    {
        var chosen = typeof(Fingerprint).GetMethod(nameof(Equals), [typeof(string)]);

        Assert.NotNull(chosen);
        Assert.Equal(typeof(string), Assert.Single(chosen.GetParameters()).ParameterType);
        var obsolete = Assert.Single(chosen.GetCustomAttributes(typeof(ObsoleteAttribute), inherit: false).Cast<ObsoleteAttribute>());
        Assert.True(obsolete.IsError);
        Assert.Contains("Fingerprint.Parse", obsolete.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(typeof(Fingerprint).GetMethods(), m => m.Name == "op_Equality" && m.GetParameters().Any(p => p.ParameterType == typeof(string)));
    }

    private static uint Word(byte[] hash, int index) => BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(index * 4, 4));
}

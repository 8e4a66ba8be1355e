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

    private static uint Word(byte[] hash, int index) => BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(index * 4, 4));
}

using Kamune.Protocol;
using Kamune.Protocol.Session;

namespace Kamune.Tests.Session;

/// <summary>Issue 16 item 3: the names a peer may announce, checked against the key that signed the Introduce.</summary>
public sealed class PeerNameTests : IDisposable
{
    private readonly IdentityKeyPair _peer = IdentityKeyPair.Generate(new DeterministicRandomSource(71));
    private readonly IdentityKeyPair _victim = IdentityKeyPair.Generate(new DeterministicRandomSource(72));

    private PublicIdentity Peer => _peer.PublicIdentity;

    private Fingerprint Victim => _victim.PublicIdentity.Fingerprint;

    [Theory]
    [InlineData("alice")]
    [InlineData("Alice Smith")]
    [InlineData("dead beef cafe")]
    [InlineData("Zo\u00eb 🐙")]
    [InlineData("山田")]
    [InlineData("node-7411")]
    public void Ordinary_names_are_accepted_unchanged(string name) =>
        Assert.Equal(name, PeerName.Validate(name, Peer));

    [Fact]
    public void A_decomposed_name_comes_back_in_NFC_or_is_refused_where_the_runtime_cannot_compose()
    {
        if (PeerName.CanNormalize)
        {
            Assert.Equal("Zo\u00eb", PeerName.Validate("Zoe\u0308", Peer));
        }
        else
        {
            var e = Assert.Throws<KamuneProtocolException>(() => PeerName.Validate("Zoe\u0308", Peer));
            Assert.Contains("U+0308", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_unpaired_surrogate_is_refused()
    {
        var broken = new string(['\ud800', 'a', 'l', 'i', 'c', 'e']);
        var e = Assert.Throws<KamuneProtocolException>(() => PeerName.Validate(broken, Peer));
        Assert.Equal(KamuneError.InvalidName, e.Error);
    }

    [Theory]
    [InlineData("ali\u200bce", "U+200B")] // zero-width space
    [InlineData("alice\u202egnp.exe", "U+202E")] // right-to-left override
    [InlineData("\u2066alice\u2069", "U+2066")] // left-to-right isolate
    [InlineData("al\u200dice", "U+200D")] // zero-width joiner
    [InlineData("\ufeffalice", "U+FEFF")] // byte order mark
    [InlineData("alice\u2028[2] bob: hi", "U+2028")] // line separator
    [InlineData("alice\u2029", "U+2029")] // paragraph separator
    [InlineData("alice\u001b[2J", "U+001B")] // escape
    [InlineData("alice\u00a0", "U+00A0")] // no-break space
    public void Invisible_and_reordering_characters_are_refused_by_code_point(string name, string codePoint)
    {
        var e = Assert.Throws<KamuneProtocolException>(() => PeerName.Validate(name, Peer));
        Assert.Equal(KamuneError.InvalidName, e.Error);
        Assert.Contains(codePoint, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" alice")]
    [InlineData("alice ")]
    [InlineData("")]
    public void Empty_padded_or_broken_names_are_refused(string name) =>
        Assert.Equal(KamuneError.InvalidName, Assert.Throws<KamuneProtocolException>(() => PeerName.Validate(name, Peer)).Error);

    [Fact]
    public void A_name_longer_than_the_cap_is_refused() =>
        Assert.Equal(KamuneError.InvalidName, Assert.Throws<KamuneProtocolException>(() => PeerName.Validate(new string('a', PeerName.MaxLength + 1), Peer)).Error);

    [Fact]
    public void Another_keys_fingerprint_in_any_printed_form_is_refused()
    {
        foreach (var form in new[]
                 {
                     Victim.Base64, Victim.Hex, Victim.HexColon, Victim.HexColon[..11], "alice " + Victim.Hex[..8],
                     Victim.Emoji, string.Join(' ', Victim.EmojiSequence.Take(3)),
                 })
        {
            var e = Assert.Throws<KamuneProtocolException>(() => PeerName.Validate(form, Peer));
            Assert.Equal(KamuneError.InvalidName, e.Error);
            Assert.Contains("no fingerprint but the peer's own", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_peers_own_fingerprint_in_any_printed_form_is_accepted()
    {
        var own = Peer.Fingerprint;
        foreach (var form in new[] { own.Base64, own.Hex, own.HexColon, own.HexColon[..11], own.Emoji, "alice " + own.Hex[..8] })
        {
            Assert.Equal(form, PeerName.Validate(form, Peer));
        }
    }

    [Fact]
    public void A_default_name_whose_base64_holds_a_hex_looking_run_is_the_keys_own_and_accepted()
    {
        // Seeds are tried in order until a key's base64 fingerprint holds eight hex digits in a row (a random key
        // does so often enough that nodes without --name were refused now and then).
        for (var seed = 1UL; ; seed++)
        {
            using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(seed));
            var base64 = key.PublicIdentity.Fingerprint.Base64;
            if (!HasHexRun(base64, PeerName.HexShapeDigits))
            {
                continue;
            }

            Assert.Equal(base64, PeerName.Validate(base64, key.PublicIdentity));
            Assert.Throws<KamuneProtocolException>(() => PeerName.Validate(base64, Peer));
            return;
        }
    }

    private static bool HasHexRun(string text, int digits)
    {
        var run = 0;
        foreach (var c in text)
        {
            run = Uri.IsHexDigit(c) ? run + 1 : 0;
            if (run >= digits)
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose()
    {
        _peer.Dispose();
        _victim.Dispose();
    }
}

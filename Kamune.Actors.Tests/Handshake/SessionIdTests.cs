using Kamune.Protocol;
using Kamune.Tests.Support;

namespace Kamune.Tests.Handshake;

public class SessionIdTests
{
    [Fact]
    public void NewHalf_maps_each_random_byte_mod_32_onto_the_alphabet()
    {
        // Bytes 0, 31, 32, 63, 255 ... cover both ends of the alphabet and the wrap-around.
        byte[] bytes = [0, 31, 32, 63, 64, 255, 1, 26, 27, 100, 200, 130];

        var half = SessionId.NewHalf(new ScriptedRandomSource(bytes));

        Assert.Equal(new string(bytes.Select(b => SessionId.Alphabet[b % 32]).ToArray()), half);
        Assert.Equal("A7A7A7B23EIC", half);
    }

    [Fact]
    public void NewHalf_output_passes_ValidateHalf()
    {
        var random = new DeterministicRandomSource(5);
        for (var i = 0; i < 50; i++)
        {
            SessionId.ValidateHalf(SessionId.NewHalf(random));
        }
    }

    [Theory]
    [InlineData("ABCDEFGHIJKL", false)]
    [InlineData("MNOPQRST2345", false)]
    [InlineData("ABCDEFGHIJKLMNOPQRST2345", true)]
    public void ValidateHalf_accepts_well_formed_keys(string key, bool resumed)
    {
        SessionId.ValidateHalf(key, resumed);
    }

    [Theory]
    [InlineData(null, false, "expected 12 characters, got none")]
    [InlineData("", false, "expected 12 characters, got 0")]
    [InlineData("ABCDEFGHIJK", false, "expected 12 characters, got 11")]
    [InlineData("ABCDEFGHIJKLM", false, "expected 12 characters, got 13")]
    [InlineData("ABCDEFGHIJKLMNOPQRST2345", false, "expected 12 characters, got 24")]
    [InlineData("ABCDEFGHIJKL", true, "expected 24 characters, got 12")]
    [InlineData("ABCDEFGHIJKa", false, "got U+0061 at index 11")]
    [InlineData("1BCDEFGHIJKL", false, "got U+0031 at index 0")]
    [InlineData("ABCDE8GHIJKL", false, "got U+0038 at index 5")]
    [InlineData("ABCDEFGHIJK=", false, "got U+003D at index 11")]
    [InlineData("ABCDEFGHIJKÄ", false, "got U+00C4 at index 11")]
    public void ValidateHalf_rejects_malformed_keys_as_InvalidHandshake(string? key, bool resumed, string detail)
    {
        var error = Assert.Throws<KamuneProtocolException>(() => SessionId.ValidateHalf(key, resumed));

        Assert.Equal(KamuneError.InvalidHandshake, error.Error);
        Assert.Contains(detail, error.Message);
    }
}

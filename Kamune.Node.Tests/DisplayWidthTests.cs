using Kamune.Node.Chat;

namespace Kamune.Node.Tests;

/// <summary>
/// Issue 14 item 9: emoji with a variation selector took one cell in the width computation but two on screen, so
/// columns after them slipped. Widths are per grapheme cluster, with U+FE0F making a symbol two cells wide.
/// </summary>
public sealed class DisplayWidthTests
{
    [Theory]
    [InlineData("a", 1)]
    [InlineData("\u2600\ufe0f", 2)] // sun with emoji presentation: wcwidth alone says 1
    [InlineData("\u2744\ufe0f", 2)] // snowflake, as in the fingerprint table
    [InlineData("\u2600\ufe0e", 1)] // text presentation
    [InlineData("\ud83d\udc19", 2)] // octopus
    [InlineData("\ud83c\uddee\ud83c\uddf7", 2)] // a flag: two regional indicators
    [InlineData("e\u0301", 1)] // a combining accent takes no cell of its own
    [InlineData("\u5c71\u7530", 4)] // wide CJK
    [InlineData("Zo\u00eb \u2600\ufe0f", 6)]
    public void Width_is_counted_per_symbol_as_a_terminal_draws_it(string text, int cells) =>
        Assert.Equal(cells, DisplayWidth.Of(text));

    [Fact]
    public void Every_fingerprint_emoji_is_two_cells_so_the_emoji_columns_line_up_for_every_key()
    {
        for (ulong seed = 0; seed < 200; seed++)
        {
            using var key = IdentityKeyPair.Generate(new DeterministicRandomSource(seed));
            var fingerprint = key.PublicIdentity.Fingerprint;
            Assert.All(fingerprint.EmojiSequence, e => Assert.Equal(2, DisplayWidth.Of(e)));
            Assert.Equal((3 * Fingerprint.EmojiCount) - 1, DisplayWidth.Of(DisplayWidth.EmojiColumns(fingerprint)));
        }
    }

    [Fact]
    public void Fit_pads_or_cuts_to_exactly_the_cells_asked()
    {
        Assert.Equal("\u2600\ufe0f sun  ", DisplayWidth.Fit("\u2600\ufe0f sun", 8));
        Assert.Equal(5, DisplayWidth.Of(DisplayWidth.Fit("\u5c71\u7530\u5c71\u7530", 5)));
        Assert.EndsWith("…", DisplayWidth.Fit("\u5c71\u7530\u5c71\u7530", 5).TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public void Clean_escapes_invisible_characters_and_counts_long_runs_of_blanks()
    {
        Assert.Equal("a\\u202eb\\u200bc\\u2029d\\u0009e", ConsoleText.Clean("a\u202eb\u200bc\u2029d\te"));
        Assert.Equal("a⟨9 spaces⟩b   c", ConsoleText.Clean("a" + new string(' ', 9) + "b   c"));
        Assert.Equal("plain text", ConsoleText.Clean("plain text"));
    }
}

using Kamune.Node.Cli;

namespace Kamune.Node.Tests;

/// <summary>How parse errors become the lines kamune-node prints: one line per mistake, each naming where it is.</summary>
public sealed class UsageErrorTests
{
    [Fact]
    public void An_unknown_word_is_one_line_without_the_missing_command_it_also_causes()
    {
        var lines = NodeCli.UsageErrors(NodeCli.Build(TextWriter.Null, TextWriter.Null).Parse(["--bogus"]).Errors);

        Assert.Equal(["Unrecognized command or argument '--bogus'."], lines);
    }

    [Fact]
    public void A_value_outside_an_options_choices_names_the_option_and_lists_the_choices_on_one_line()
    {
        var lines = NodeCli.UsageErrors(NodeCli.Build(TextWriter.Null, TextWriter.Null).Parse(["run", "--trust", "maybe"]).Errors);

        Assert.Equal(["--trust: Argument 'maybe' not recognized. Must be one of: 'tofu', 'allow-list', 'any'"], lines);
    }

    [Fact]
    public void Two_mistakes_are_two_lines_and_a_message_that_names_its_option_is_not_named_twice()
    {
        var lines = NodeCli.UsageErrors(NodeCli.Build(TextWriter.Null, TextWriter.Null)
            .Parse(["bench", "--target", "127.0.0.1:1", "--sessions", "0", "--parallel", "0"]).Errors);

        Assert.Equal(["--sessions: expected 1..100000, got 0", "--parallel: expected 1..10000, got 0"], lines);
    }

    [Fact]
    public void A_message_of_several_lines_becomes_one()
    {
        Assert.Equal("Must be one of: 'a', 'b'", NodeCli.OneLine("Must be one of:\n\t'a'\n\t'b'\n"));
        Assert.Equal("one line", NodeCli.OneLine("one line"));
    }
}

using Kamune.Node.Hosting;
using Serilog.Events;
using Serilog.Parsing;

namespace Kamune.Node.Tests;

/// <summary>How stderr's lines look without --verbose: one line per event, whatever its values or exception hold.</summary>
public sealed class NodeLoggingTests
{
    [Fact]
    public void Without_verbose_an_error_with_an_exception_and_a_line_break_in_a_value_is_one_line_without_a_stack_trace()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("the console went away\nfor good");
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }

        var template = new MessageTemplateParser().Parse("Node output failed ({Reason}); events are dropped until it works again");
        var logEvent = new LogEvent(
            new DateTimeOffset(2026, 12, 2, 1, 2, 3, 456, TimeSpan.Zero), LogEventLevel.Error, thrown, template,
            [new LogEventProperty("Reason", new ScalarValue(thrown.Message))]);
        using var text = new StringWriter();

        NodeLogging.OneLine().Format(logEvent, text);

        Assert.Equal(
            "01:02:03.456 [ERR] Node output failed (the console went away for good); events are dropped until it works again\n",
            text.ToString());
    }
}

using System.Text;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace Kamune.Node.Hosting;

/// <summary>Serilog to stderr only: stdout belongs to the chat console or to the --json event stream.</summary>
internal static class NodeLogging
{
    private const string Template = "{Timestamp:HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

    public static void Configure(bool verbose)
    {
        var configuration = new LoggerConfiguration().MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Warning);

        // A terminal gets the console sink's colours. A pipe or a file gets lines that never make the logging thread
        // wait: a stderr nobody reads then costs dropped log lines, not a stalled Akka logger or a hung shutdown.
        Log.Logger = (Console.IsErrorRedirected
                ? configuration.WriteTo.Sink(new StderrSink(new MessageTemplateTextFormatter(Template)))
                : configuration.WriteTo.Console(outputTemplate: Template, standardErrorFromLevel: LogEventLevel.Verbose))
            .CreateLogger();
    }

    /// <summary>Log events as lines on a stderr <see cref="OutputLines"/> that never waits (at most 1 MiB queued).</summary>
    internal sealed class StderrSink : ILogEventSink, IDisposable
    {
        private readonly ITextFormatter _formatter;
        private readonly OutputLines _lines;

        public StderrSink(ITextFormatter formatter, Stream? stderr = null)
        {
            _formatter = formatter;
            _lines = new OutputLines(stderr ?? OutputLines.OpenStandardError(), TimeSpan.FromSeconds(1), "stderr");
            _lines.StopWaiting();
        }

        public void Emit(LogEvent logEvent)
        {
            using var text = new StringWriter();
            _formatter.Format(logEvent, text);
            var line = text.GetStringBuilder();
            while (line.Length > 0 && line[^1] is '\n' or '\r')
            {
                // OutputLines ends every line itself.
                line.Length--;
            }

            _lines.Write(Encoding.UTF8.GetBytes(line.ToString()));
        }

        public void Dispose() => _lines.Dispose();
    }
}

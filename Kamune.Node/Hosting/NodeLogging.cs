using System.Text;
using Akka.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace Kamune.Node.Hosting;

/// <summary>
/// Serilog to stderr only: stdout belongs to the chat console or to the --json event stream. Without --verbose,
/// stderr carries the one-line error and the node's own warnings and errors, one line each (output it could not
/// write, echoes dropped, sessions that did not close in time): the node logs them to Serilog itself, past Akka's
/// switch. The actor runtime's logs (Akka, the Kamune library), the node's debug lines and stack traces come only
/// with --verbose, so a failure the user is told about in one line is not told again, with a stack trace, by the
/// layers it passed through.
/// </summary>
internal static class NodeLogging
{
    private const string Template = "{Timestamp:HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}";
    private const string OneLineTemplate = "{Timestamp:HH:mm:ss.fff} [{Level:u3}] {Message:lj}";

    private static readonly Config Quiet = ConfigurationFactory.ParseString("akka.loglevel = OFF");

    private static bool _verbose;

    /// <summary>What an ActorSystem of this process runs on: <paramref name="config"/>, with Akka's logs off unless --verbose.</summary>
    public static Config ForActorSystem(Config config) => _verbose ? config : Quiet.WithFallback(config);

    public static void Configure(bool verbose)
    {
        _verbose = verbose;
        var configuration = new LoggerConfiguration().MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Warning);

        // A terminal gets the console sink's colours with --verbose. A pipe or a file gets lines that never make the
        // logging thread wait: a stderr nobody reads then costs dropped log lines, not a stalled hub or a hung shutdown.
        var oneLine = verbose ? null : OneLine();
        Log.Logger = (Console.IsErrorRedirected
                ? configuration.WriteTo.Sink(new StderrSink(oneLine ?? new MessageTemplateTextFormatter(Template)))
                : oneLine is null
                    ? configuration.WriteTo.Console(outputTemplate: Template, standardErrorFromLevel: LogEventLevel.Verbose)
                    : configuration.WriteTo.Console(oneLine, standardErrorFromLevel: LogEventLevel.Verbose))
            .CreateLogger();
    }

    /// <summary>How stderr's lines look without --verbose: time, level and message, on one line, no stack trace.</summary>
    internal static ITextFormatter OneLine() => new OneLineFormatter(new MessageTemplateTextFormatter(OneLineTemplate));

    /// <summary>
    /// One event, one line: a value that holds a line break (an exception's message) cannot split it, so a script that
    /// reads stderr line by line, or a service manager's journal, gets each warning whole.
    /// </summary>
    internal sealed class OneLineFormatter(ITextFormatter inner) : ITextFormatter
    {
        public void Format(LogEvent logEvent, TextWriter output)
        {
            using var text = new StringWriter();
            inner.Format(logEvent, text);
            var line = text.ToString().TrimEnd('\r', '\n').ReplaceLineEndings(" ");
            output.Write(line);
            output.Write('\n');
        }
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

/// <summary>
/// Akka's "standard out" logger (akka.stdout-logger-class), which it uses before its loggers start and for what is
/// still in their mailboxes when the ActorSystem terminates: Akka's own one writes those to stdout, so a warning
/// logged just before a failed start (a port in use) landed in the middle of the --json stream. This one hands them
/// to Serilog, which writes stderr.
/// </summary>
internal sealed class AkkaFallbackLogger : Akka.Event.MinimalLogger
{
    protected override void Log(object message)
    {
        if (message is not Akka.Event.LogEvent logEvent)
        {
            return;
        }

        var level = logEvent.LogLevel() switch
        {
            Akka.Event.LogLevel.ErrorLevel => LogEventLevel.Error,
            Akka.Event.LogLevel.WarningLevel => LogEventLevel.Warning,
            Akka.Event.LogLevel.InfoLevel => LogEventLevel.Information,
            _ => LogEventLevel.Debug,
        };
        // As Akka.Logger.Serilog writes them: the event's own template and values, its source as a property.
        var log = Serilog.Log.ForContext("LogSource", logEvent.LogSource);
        if (logEvent.Message is Akka.Event.LogMessage akkaMessage)
        {
            log.Write(level, logEvent.Cause, akkaMessage.Format, akkaMessage.Parameters().ToArray());
        }
        else
        {
            log.Write(level, logEvent.Cause, "{Message:l}", logEvent.Message?.ToString());
        }
    }
}

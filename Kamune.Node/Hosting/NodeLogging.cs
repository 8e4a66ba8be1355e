using Serilog;
using Serilog.Events;

namespace Kamune.Node.Hosting;

/// <summary>Serilog to stderr only: stdout belongs to the chat console or to the --json event stream.</summary>
internal static class NodeLogging
{
    public static void Configure(bool verbose)
    {
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Warning)
            .WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger();
    }
}

using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Hosting;
using Kamune.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kamune.Tests.Runtime;

/// <summary>Registry key of the handler a test host registers with WithActors.</summary>
public sealed class InboxKey;

/// <summary>A real Microsoft.Extensions.Hosting host with Akka.Hosting, Kamune and IKamuneNode, its logs captured through MEL.</summary>
internal static class HostedNodes
{
    public static IHost Build(string name, Action<AkkaConfigurationBuilder> akka, CapturedLogs? logs = null, Action<IServiceCollection>? services = null) =>
        new HostBuilder()
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                if (logs is not null)
                {
                    logging.AddProvider(logs);
                }
            })
            .ConfigureServices(collection =>
            {
                services?.Invoke(collection);
                collection.AddKamuneNode();
                collection.AddAkka(name, builder =>
                {
                    // Akka's log events go to the host's ILoggerFactory (docs/embedding-settings.md "Logging").
                    builder.ConfigureLoggers(loggers =>
                    {
                        loggers.ClearLoggers();
                        loggers.AddLoggerFactory();
                    });
                    akka(builder);
                });
            })
            .Build();
}

/// <summary>Forwards everything to a probe: a handler that lives in the hosted ActorSystem itself.</summary>
internal sealed class Relay : ReceiveActor
{
    public Relay(IActorRef target) => ReceiveAny(message => target.Forward(message));

    public static Props Props(IActorRef target) => Akka.Actor.Props.Create(() => new Relay(target));
}

/// <summary>Every line any logger of the host wrote, with its category and level.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Line)> _lines = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Line)> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((category, logLevel, formatter(state, exception)));
    }
}

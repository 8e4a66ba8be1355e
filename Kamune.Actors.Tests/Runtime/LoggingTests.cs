using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Identity;
using Serilog.Core;
using Serilog.Events;

namespace Kamune.Tests.Runtime;

// Issue 3 item 6: the runtime logs through Akka logging, routed to Serilog by Akka.Logger.Serilog, as structured
// events; no log event carries key material or message contents.
[Collection(SerilogGlobalLogger.Name)]
public sealed class LoggingTests
{
    private static readonly Config SerilogConfig = ConfigurationFactory.ParseString("""
        akka.loggers = ["Akka.Logger.Serilog.SerilogLogger, Akka.Logger.Serilog"]
        akka.logger-formatter = "Akka.Logger.Serilog.SerilogLogMessageFormatter, Akka.Logger.Serilog"
        akka.loglevel = DEBUG
        kamune.max-connections-per-address = 0
        """).WithFallback(KamuneConfig.Default);

    [Fact]
    public async Task A_session_logs_structured_events_through_Serilog_without_keys_or_message_contents()
    {
        var sink = new CollectingSink();
        var previous = Serilog.Log.Logger;
        Serilog.Log.Logger = new Serilog.LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger();
        var seedA = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();
        var seedB = Enumerable.Range(1, 32).Select(i => (byte)(i * 11)).ToArray();
        using var keyA = IdentityKeyPair.FromSeed(seedA);
        using var keyB = IdentityKeyPair.FromSeed(seedB);
        var secretText = "TOP-SECRET-PAYLOAD-4f1c";
        var a = KamuneSystem.Create("log-a", new KamuneNodeOptions(keyA, AcceptAllVerifier.Instance), SerilogConfig);
        var b = KamuneSystem.Create("log-b", new KamuneNodeOptions(keyB, AcceptAllVerifier.Instance), SerilogConfig);
        try
        {
            var inboxA = Inbox.Create(a);
            var inboxB = Inbox.Create(b);
            var local = (IPEndPoint)await KamuneExtension.Get(a).ListenAsync("127.0.0.1", 0, inboxA.Receiver);
            await KamuneExtension.Get(b).DialAsync("127.0.0.1", local.Port, inboxB.Receiver);
            var established = (SessionEstablished)await inboxB.ReceiveAsync(TimeSpan.FromSeconds(20));
            Assert.IsType<SessionEstablished>(await inboxA.ReceiveAsync(TimeSpan.FromSeconds(20)));
            established.Session.Tell(new SendMessage(System.Text.Encoding.UTF8.GetBytes(secretText)), inboxB.Receiver);
            Assert.IsType<SendAck>(await inboxB.ReceiveAsync(TimeSpan.FromSeconds(10)));
            var received = (MessageReceived)await inboxA.ReceiveAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(secretText, System.Text.Encoding.UTF8.GetString(received.Data.Span));
            established.Session.Tell(CloseSession.Instance);
            Assert.IsType<SessionClosed>(await inboxA.ReceiveAsync(TimeSpan.FromSeconds(10)));

            // Akka logging is asynchronous: the logger actors may still hold the events when the session is done,
            // and terminating the systems stops them without draining their mailboxes.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (sink.Events.Count(IsEstablishedEvent) < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
        finally
        {
            await b.Terminate();
            await a.Terminate();
            Serilog.Log.Logger = previous;
        }

        var events = sink.Events.ToArray();
        var establishedEvents = events.Where(IsEstablishedEvent).ToList();
        Assert.Equal(2, establishedEvents.Count);
        Assert.All(establishedEvents, e => Assert.True(e.Properties.ContainsKey("SessionId"), "expected a structured SessionId property"));

        var forbidden = new[]
        {
            secretText,
            Convert.ToHexString(seedA), Convert.ToHexStringLower(seedA), Convert.ToBase64String(seedA),
            Convert.ToHexString(seedB), Convert.ToHexStringLower(seedB), Convert.ToBase64String(seedB),
            keyA.ExportPkcs8Pem().Split('\n')[1], keyB.ExportPkcs8Pem().Split('\n')[1],
        };
        foreach (var logEvent in events)
        {
            var text = logEvent.RenderMessage() + " " + string.Join(" ", logEvent.Properties.Values) + " " + logEvent.Exception;
            foreach (var secret in forbidden)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }

    private static bool IsEstablishedEvent(LogEvent e) =>
        e.MessageTemplate.Text.Contains("established with", StringComparison.Ordinal);

    private sealed class CollectingSink : ILogEventSink
    {
        public ConcurrentQueue<LogEvent> Events { get; } = new();

        public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);
    }
}

/// <summary>Tests that swap Serilog's static logger must not run in parallel with each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerilogGlobalLogger
{
    public const string Name = "Serilog global logger";
}

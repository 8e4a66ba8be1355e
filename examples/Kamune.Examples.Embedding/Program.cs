// Two Kamune nodes hosted in one process, so the example runs anywhere: alice listens (declared in her options),
// bob dials her (through IKamuneNode). Each accepts only the other's key. Bob sends 2,000 numbered messages, many at
// once, and keeps them in order through back-pressure refusals; alice checks the order and acknowledges each; bob
// closes the session, then both hosts stop.
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Kamune;
using Kamune.Hosting;
using Kamune.Examples.Embedding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// Identities given as KamuneOptions.Identity stay ours: disposed (their secrets wiped) when these go out of scope,
// after the hosts below, whose ActorSystems have terminated by then.
using var aliceKey = IdentityKeyPair.Generate(SystemRandomSource.Instance);
using var bobKey = IdentityKeyPair.Generate(SystemRandomSource.Instance);
var deadline = TimeSpan.FromSeconds(30);

var aliceClosed = new TaskCompletionSource<CloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
#region alice
using var alice = BuildHost("alice", akka => akka
    .WithActors((system, registry) =>
        registry.Register<Receiver>(system.ActorOf(Props.Create(() => new Receiver(aliceClosed)), "inbox")))
    .WithKamune(kamune =>
    {
        kamune.Identity = aliceKey;
        kamune.Config = ConfigurationFactory.ParseString("kamune.name = alice"); // any kamune.* setting
        kamune.Verifier = AllowListVerifier.FromIdentities([bobKey.PublicIdentity]);
        kamune.Handler = KamuneHandler.FromRegistry<Receiver>();
        kamune.AddListen("127.0.0.1", 0); // port 0: the OS picks a free one
    }));
#endregion
await alice.StartAsync();
var listening = (IPEndPoint)alice.Services.GetRequiredService<IKamuneNode>().Listeners[0];
Console.WriteLine($"alice: listening on {listening}");

const int messages = 2000;
var bobClosed = new TaskCompletionSource<CloseReason>(TaskCreationOptions.RunContinuationsAsynchronously);
using var bob = BuildHost("bob", akka => akka.WithKamune(kamune =>
{
    kamune.Identity = bobKey;
    // A send window far below what the talker keeps on its way, so it meets back-pressure refusals (the default is 64).
    kamune.Config = ConfigurationFactory.ParseString("kamune.name = bob\nkamune.send-window = 16");
    kamune.Verifier = AllowListVerifier.FromIdentities([aliceKey.PublicIdentity]);
    kamune.Handler = KamuneHandler.FromProps(Props.Create(() => new Talker(messages, bobClosed)), "talker");
}));
await bob.StartAsync();

try
{
    // Typed: a DialConnected once TCP is up (the handshake then runs), a KamuneNodeException if the dial fails.
    var dialing = await bob.Services.GetRequiredService<IKamuneNode>().DialAsync("127.0.0.1", listening.Port);
    Console.WriteLine($"bob: connected to {dialing.RemoteAddress}");
}
catch (KamuneNodeException e)
{
    Console.Error.WriteLine($"bob: {e.Message}");
    return 1;
}

// The talker closes the session after its last message; each side's handler hears SessionClosed once.
Console.WriteLine($"bob: session closed ({await bobClosed.Task.WaitAsync(deadline)})");
Console.WriteLine($"alice: session closed ({await aliceClosed.Task.WaitAsync(deadline)})");

// Stopping a host runs CoordinatedShutdown: Kamune closes any session still open (CLOSE_TRANSPORT), unbinds, and
// the ActorSystem terminates before StopAsync returns.
await bob.StopAsync();
await alice.StopAsync();
Console.WriteLine("done");
return 0;

static IHost BuildHost(string name, Action<AkkaConfigurationBuilder> configure)
{
    var builder = Host.CreateApplicationBuilder();
    // Logs go to stderr through Microsoft.Extensions.Logging; stdout is the program's own output.
    builder.Logging.ClearProviders();
    builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddKamuneNode();
    builder.Services.AddAkka(name, akka =>
    {
        // Akka's own logging (and so Kamune's) into the host's ILoggerFactory. Akka filters by its own level
        // before MEL sees an event; what it logs while the system starts or stops goes to stdout, so keep it quiet.
        #region logging
        akka.ConfigureLoggers(loggers =>
        {
            loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
            loggers.ClearLoggers();
            loggers.AddLoggerFactory();
        });
        #endregion
        configure(akka);
    });
    return builder.Build();
}

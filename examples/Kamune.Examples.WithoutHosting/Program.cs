// Kamune in an ActorSystem built by hand, without Akka.Hosting. The KamuneSetup carries what configuration cannot
// (the identity and the verifier); KamuneExtension.Get then starts Kamune like any Akka extension. The node dials
// itself, the dialer sends one message, the listener's side acknowledges it and closes, then the system terminates.
using System.Net;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Kamune;
using Kamune.Examples.WithoutHosting;

using var identity = IdentityKeyPair.Generate(SystemRandomSource.Instance);
var setup = BootstrapSetup.Create()
    .WithConfig(ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(KamuneConfig.Default))
    .And(new KamuneSetup(new KamuneNodeOptions(identity, AllowListVerifier.FromIdentities([identity.PublicIdentity]))));
var system = ActorSystem.Create("without-hosting", setup);
var kamune = KamuneExtension.Get(system);

var bothClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
var handler = system.ActorOf(Props.Create(() => new Handler(bothClosed)), "handler");
var listening = (IPEndPoint)await kamune.ListenAsync("127.0.0.1", 0, handler);
Console.WriteLine($"listening on {listening}");
await kamune.DialAsync("127.0.0.1", listening.Port, handler);
await bothClosed.Task.WaitAsync(TimeSpan.FromSeconds(30));

// Terminating runs CoordinatedShutdown, in which Kamune closes what is still open and unbinds its listener.
await system.Terminate();
Console.WriteLine("done");

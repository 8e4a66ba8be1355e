using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Tests.Support;

namespace Kamune.Tests.Configuration;

// Issue 17 item 6: kamune.dispatcher puts the sessions and their cipher and replay guard (the CPU-bound crypto) on a
// dispatcher of the application's choosing. Checked on real sessions over loopback TCP, on both ends, by the
// dispatcher each actor's cell actually runs on.
public sealed class SessionDispatcherTests : TwoNodeTestKit
{
    private const string Dispatcher = "kamune-test.crypto-dispatcher";

    private static readonly Config Config = ConfigurationFactory.ParseString($$"""
        akka.loglevel = WARNING
        kamune.dispatcher = {{Dispatcher}}
        kamune-test.crypto-dispatcher {
          type = ForkJoinDispatcher
          throughput = 10
          dedicated-thread-pool.thread-count = 2
        }
        """);

    public SessionDispatcherTests()
        : base(Config, "dispatcher-listener", "dispatcher-dialer", 0x71, 0x72)
    {
    }

    [Fact]
    public async Task Sessions_and_their_cipher_and_replay_guard_run_on_the_configured_dispatcher()
    {
        var listenerEvents = CreateTestProbe();
        var dialerEvents = CreateTestProbe(SystemB);
        var port = ((IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, listenerEvents.Ref)).Port;
        await NodeB.DialAsync("127.0.0.1", port, dialerEvents.Ref);
        var atListener = await listenerEvents.ExpectMsgAsync<SessionEstablished>(TimeSpan.FromSeconds(20));
        var atDialer = await dialerEvents.ExpectMsgAsync<SessionEstablished>(TimeSpan.FromSeconds(20));

        // A message through both ciphers, so the crypto did run where the cells say.
        atDialer.Session.Tell(new SendMessage("on the crypto dispatcher"u8.ToArray()), dialerEvents.Ref);
        await dialerEvents.ExpectMsgAsync<SendAck>(TimeSpan.FromSeconds(20));
        var received = await listenerEvents.ExpectMsgAsync<MessageReceived>(TimeSpan.FromSeconds(20));
        Assert.Equal("on the crypto dispatcher"u8.ToArray(), received.Data.ToArray());

        foreach (var session in new[] { atListener.Session, atDialer.Session })
        {
            var cell = Cell(session);
            Assert.Equal(Dispatcher, cell.Dispatcher.Id);
            var children = cell.GetChildren().Select(child => (child.Path.Name, Cell(child).Dispatcher.Id)).OrderBy(c => c.Name, StringComparer.Ordinal);
            Assert.Equal([("cipher", Dispatcher), ("replay-guard", Dispatcher)], children);
        }
    }

    private static ActorCell Cell(IActorRef actor) =>
        Assert.IsType<ActorCell>(Assert.IsAssignableFrom<ActorRefWithCell>(actor).Underlying, exactMatch: false);
}

using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Identity;

namespace Kamune.Tests.Runtime;

// Issue 3 item 1: back-pressure end to end over real loopback TCP. With kamune.delivery-window set, a handler
// that stops answering DeliveryAck stops its session reading the socket; TCP fills up and the sending peer's
// Send is refused with back-pressure instead of memory growing anywhere. When the handler catches up, every
// accepted message arrives, in order, exactly once.
public sealed class BackPressureTests : Akka.TestKit.Xunit2.TestKit
{
    private const int DeliveryWindow = 4;

    private static readonly Config Slow = ConfigurationFactory
        .ParseString($"kamune {{ delivery-window = {DeliveryWindow}, max-connections-per-address = 0 }}")
        .WithFallback(KamuneConfig.Default);

    public BackPressureTests()
        : base(Slow, "slow-reader")
    {
    }

    [Fact]
    public async Task A_handler_that_stops_acknowledging_deliveries_makes_the_peers_sends_refused_and_loses_nothing()
    {
        using var readerKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x51));
        using var senderKey = IdentityKeyPair.Generate(new DeterministicRandomSource(0x52));
        var reader = KamuneExtension.Configure(Sys, new KamuneNodeOptions(readerKey, AcceptAllVerifier.Instance));
        var senderSystem = KamuneSystem.Create(
            "fast-sender", new KamuneNodeOptions(senderKey, AcceptAllVerifier.Instance), KamuneConfig.Default.WithFallback(Slow));
        try
        {
            var handler = CreateTestProbe();
            var senderEvents = CreateTestProbe();
            var local = (IPEndPoint)await reader.ListenAsync("127.0.0.1", 0, handler.Ref);
            await KamuneExtension.Get(senderSystem).DialAsync("127.0.0.1", local.Port, senderEvents.Ref);
            handler.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));
            var session = senderEvents.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20)).Session;

            // Large messages fill the socket buffers quickly; the bound keeps the test finite if back-pressure failed.
            var payload = new byte[60_000];
            var accepted = 0;
            string? refusal = null;
            for (var i = 0; i < 5_000 && refusal is null; i++)
            {
                BitConverter.TryWriteBytes(payload, accepted);
                switch (await session.Ask<object>(new SendMessage(payload), TimeSpan.FromSeconds(10)))
                {
                    case SendAck:
                        accepted++;
                        break;
                    case SendRefused refused:
                        refusal = refused.Reason;
                        break;
                }
            }

            Assert.NotNull(refusal);
            Assert.Contains("Back-pressure", refusal);

            // The handler has seen exactly the window and nothing more while it does not answer.
            var held = Enumerable.Range(0, DeliveryWindow).Select(_ => handler.ExpectMsg<MessageReceived>(TimeSpan.FromSeconds(10))).ToList();
            handler.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

            // Catching up releases the rest: every accepted message, in order, once.
            var received = new List<MessageReceived>(held);
            foreach (var message in held)
            {
                message.Session.Tell(DeliveryAck.Instance);
            }

            while (received.Count < accepted)
            {
                var message = handler.ExpectMsg<MessageReceived>(TimeSpan.FromSeconds(20));
                received.Add(message);
                message.Session.Tell(DeliveryAck.Instance);
            }

            handler.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
            for (var i = 0; i < received.Count; i++)
            {
                Assert.Equal((ulong)(i + 3), received[i].Sequence);
                Assert.Equal(i, BitConverter.ToInt32(received[i].Data.Span));
            }

            Assert.True(accepted > DeliveryWindow, $"expected more than {DeliveryWindow} accepted sends before back-pressure, got {accepted}");
        }
        finally
        {
            await senderSystem.Terminate();
        }
    }
}

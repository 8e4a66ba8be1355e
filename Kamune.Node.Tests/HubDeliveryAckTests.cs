using Akka.Actor;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Tests;

/// <summary>
/// The hub answers every received message with DeliveryAck (kamune.delivery-window in kamune-node.conf), also when
/// writing it failed: an unanswered message would shrink that session's window for good. A failed write costs that
/// one event, not the hub's record of its sessions.
/// </summary>
public sealed class HubDeliveryAckTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("hub-delivery-ack");

    [Fact]
    public async Task Each_message_is_answered_once_written_and_also_when_writing_it_throws()
    {
        var output = new FailingOnceOutput();
        var hub = _system.ActorOf(SessionHub.Props(ActorRefs.Nobody, output, echo: false, onDial: null));
        var session = Inbox.Create(_system);
        StandInSessions.Establish(hub, session.Receiver, seed: 9);

        for (var i = 1; i <= 3; i++)
        {
            hub.Tell(new MessageReceived(session.Receiver, "SESSION", new byte[] { (byte)i }, (ulong)i + 2, DateTimeOffset.UnixEpoch));
        }

        // The first write throws; all three are answered, and the hub still knows the session for the next two.
        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<DeliveryAck>(await session.ReceiveAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.Equal(1, output.Failures);
        Assert.Equal([2, 3], output.Written);
    }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private sealed class FailingOnceOutput : INodeOutput
    {
        private readonly List<int> _written = new();

        public int Failures { get; private set; }

        public int[] Written
        {
            get
            {
                lock (_written)
                {
                    return _written.ToArray();
                }
            }
        }

        public void Emit(NodeEvent nodeEvent)
        {
            if (nodeEvent is not NodeEvent.MessageReceived message)
            {
                return;
            }

            if (Failures == 0)
            {
                Failures++;
                throw new InvalidOperationException("the output broke");
            }

            lock (_written)
            {
                _written.Add(message.Data.Span[0]);
            }
        }
    }
}

using System.Buffers.Binary;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Tests.Support;

namespace Kamune.Tests.Runtime;

/// <summary>
/// Issue 17 item 1 over real loopback TCP: an application that pipelines far more sends than the session's window
/// and retries what is refused the documented way (SendMessage's XML comment, README "Sending in order") delivers every
/// message both ways, in order, exactly once. The naive retry of a back-pressure refusal reordered the stream before.
/// </summary>
public sealed class OrderedSendingTests : TwoNodeTestKit
{
    private const int Count = 20_000;

    // A small window, so the pipelined senders are refused often.
    private static readonly Config NodeConfig = ConfigurationFactory
        .ParseString("kamune { send-window = 8, max-connections-per-address = 0 }")
        .WithFallback(KamuneConfig.Default);

    public OrderedSendingTests()
        : base(NodeConfig, "ordered-a", "ordered-b", 0x5A, 0x5B)
    {
    }

    [Fact]
    public async Task Twenty_thousand_messages_each_way_retried_the_documented_way_arrive_in_order_exactly_once()
    {
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe();
        var handlerA = Sys.ActorOf(Props.Create(() => new InOrderHandler(probeA.Ref)));
        var handlerB = SystemB.ActorOf(Props.Create(() => new InOrderHandler(probeB.Ref)));
        var local = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, handlerA);
        await NodeB.DialAsync("127.0.0.1", local.Port, handlerB);
        var atA = probeA.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));
        var atB = probeB.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));

        var doneA = CreateTestProbe();
        var doneB = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new OrderedSender(atA.Session, Count, doneA.Ref)));
        SystemB.ActorOf(Props.Create(() => new OrderedSender(atB.Session, Count, doneB.Ref)));

        var within = TimeSpan.FromSeconds(120);
        Assert.Equal(new AllReceived(Count, 0), probeA.ExpectMsg<AllReceived>(within));
        Assert.Equal(new AllReceived(Count, 0), probeB.ExpectMsg<AllReceived>(within));
        var sentA = doneA.ExpectMsg<AllSent>(within);
        var sentB = doneB.ExpectMsg<AllSent>(within);
        Assert.True(sentA.Refused + sentB.Refused > 0, "expected back-pressure refusals to exercise the retry path, got none");
        probeA.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        probeB.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private sealed record AllReceived(int Count, int OutOfOrder);

    private sealed record AllSent(int Refused);

    /// <summary>Checks that message i arrives i-th, answers each delivery with DeliveryAck.</summary>
    private sealed class InOrderHandler : ReceiveActor
    {
        private int _next;
        private int _outOfOrder;

        public InOrderHandler(IActorRef probe)
        {
            Receive<SessionEstablished>(probe.Tell);
            Receive<SessionClosed>(probe.Tell);
            Receive<MessageReceived>(m =>
            {
                var index = BinaryPrimitives.ReadInt32BigEndian(m.Data.Span);
                if (index != _next)
                {
                    _outOfOrder++;
                }

                _next++;
                m.Session.Tell(DeliveryAck.Instance);
                if (_next == Count)
                {
                    probe.Tell(new AllReceived(_next, _outOfOrder));
                }
            });
        }
    }

    /// <summary>
    /// The documented way (SendMessage's XML comment): up to <see cref="MaxUnanswered"/> sends on their way at once; after a
    /// back-pressure refusal nothing new is sent; once SendWindowOpen has come and every send has been answered, the
    /// refused ones go again, oldest first, then new ones.
    /// </summary>
    private sealed class OrderedSender : ReceiveActor
    {
        private const int MaxUnanswered = 256;

        private readonly Queue<int> _refused = new();
        private readonly IActorRef _session;
        private readonly int _count;
        private readonly IActorRef _done;
        private int _next;
        private int _unanswered;
        private int _acknowledged;
        private int _refusals;
        private bool _holding;
        private bool _windowOpen;

        public OrderedSender(IActorRef session, int count, IActorRef done)
        {
            _session = session;
            _count = count;
            _done = done;
            Receive<SendAck>(_ =>
            {
                _unanswered--;
                if (++_acknowledged == _count)
                {
                    _done.Tell(new AllSent(_refusals));
                }

                Pump();
            });
            Receive<SendRefused>(refused =>
            {
                if (refused.Kind != SendRefusalKind.BackPressure)
                {
                    throw new InvalidOperationException($"unexpected refusal: {refused}");
                }

                _unanswered--;
                _refusals++;
                _refused.Enqueue((int)refused.CorrelationId!);
                _holding = true;
                Pump();
            });
            Receive<SendWindowOpen>(_ =>
            {
                _windowOpen = _holding;
                Pump();
            });
            Pump();
        }

        private static SendMessage Message(int index)
        {
            var data = new byte[64];
            BinaryPrimitives.WriteInt32BigEndian(data, index);
            return new SendMessage(data, index);
        }

        private void Pump()
        {
            if (_holding)
            {
                if (!_windowOpen || _unanswered > 0)
                {
                    return;
                }

                // Every refusal of this episode is in: the refused ones go again, oldest first.
                _holding = false;
                _windowOpen = false;
                while (_refused.TryDequeue(out var index))
                {
                    Tell(index);
                }

                return;
            }

            while (_unanswered < MaxUnanswered && _next < _count)
            {
                Tell(_next++);
            }
        }

        private void Tell(int index)
        {
            _unanswered++;
            _session.Tell(Message(index));
        }
    }
}

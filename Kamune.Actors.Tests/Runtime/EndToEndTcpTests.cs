using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Kamune.Actors.Configuration;
using Kamune.Identity;
using Kamune.Protocol;
using Kamune.Tests.Support;

namespace Kamune.Tests.Runtime;

// Issue item 8: real PeerActors on two ActorSystems over loopback TCP (127.0.0.1, port 0).
public sealed class EndToEndTcpTests : TwoNodeTestKit
{
    private static readonly Config NodeConfig = ConfigurationFactory.ParseString(
        // A frame limit one below the wire's 65,535, so a hostile 0xFFFF header exceeds it. Not lower: a handshake
        // frame whose padding bumps to the last bucket is 65,495 + 16 = 65,511 bytes (protocol.md "Padding"), and a
        // limit under that made the healthy session of these tests fail now and then (the peer reset it). No caps:
        // the 200-session test dials everything from 127.0.0.1 at once.
        "kamune { max-connections-per-address = 0, max-concurrent-handshakes = 0, max-frame-length = 65534 }").WithFallback(KamuneConfig.Default);

    public EndToEndTcpTests()
        : base(NodeConfig, "node-a", "node-b", 0xA, 0xB)
    {
    }

    [Fact]
    public async Task Two_systems_exchange_ten_thousand_messages_each_way_without_loss_duplication_or_reordering()
    {
        const int count = 10_000;
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe();
        var handlerA = Sys.ActorOf(Props.Create(() => new OrderCheckingHandler(probeA.Ref, count)));
        var handlerB = SystemB.ActorOf(Props.Create(() => new OrderCheckingHandler(probeB.Ref, count)));

        var local = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, handlerA);
        await NodeB.DialAsync("127.0.0.1", local.Port, handlerB);
        var atA = probeA.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));
        var atB = probeB.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));
        Assert.Equal(atA.SessionId, atB.SessionId);
        Assert.Equal(KeyB.PublicIdentity.Fingerprint, atA.Peer.Fingerprint);

        Sys.ActorOf(Props.Create(() => new Pump(atA.Session, count, probeA.Ref)));
        SystemB.ActorOf(Props.Create(() => new Pump(atB.Session, count, probeB.Ref)));

        var within = TimeSpan.FromSeconds(90);
        Assert.Equal(count, probeA.FishForMessage<AllReceived>(_ => true, within).Count);
        Assert.Equal(count, probeB.FishForMessage<AllReceived>(_ => true, within).Count);

        atB.Session.Tell(CloseSession.Instance);
        Assert.Equal(CloseReason.PeerClosed, probeA.FishForMessage<SessionClosed>(_ => true, TimeSpan.FromSeconds(10)).Reason);
        Assert.Equal(CloseReason.LocalClose, probeB.FishForMessage<SessionClosed>(_ => true, TimeSpan.FromSeconds(10)).Reason);
    }

    // Was failing: every connection built a new ActorMaterializer, whose creation blocks a pool thread (see
    // ConnectionWriter.PreStart); 200 at once starved the pool for ~45 s and dials timed out. Also needs room in the
    // listen backlog (kamune.listen-backlog) and no per-address cap (all dials come from 127.0.0.1).
    [Fact]
    public async Task One_system_holds_two_hundred_concurrent_sessions()
    {
        const int sessions = 200;
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe();
        var local = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, probeA.Ref);

        for (var i = 0; i < sessions; i++)
        {
            NodeB.Manager.Tell(new DialPeer("127.0.0.1", local.Port, probeB.Ref), probeB.Ref);
        }

        var atA = new List<SessionEstablished>();
        var atB = new List<SessionEstablished>();
        var deadline = TimeSpan.FromSeconds(30);
        // DialConnected (the dial's reply) and SessionEstablished (the handler's event) interleave across sessions.
        var eventsB = probeB.ReceiveN(2 * sessions, deadline);
        Assert.All(eventsB, e => Assert.True(e is DialConnected or SessionEstablished, $"expected DialConnected or SessionEstablished, got {e}"));
        Assert.Equal(sessions, eventsB.OfType<DialConnected>().Count());
        atB.AddRange(eventsB.OfType<SessionEstablished>());
        Assert.Equal(sessions, atB.Count);
        atA.AddRange(probeA.ReceiveN(sessions, deadline).Cast<SessionEstablished>());
        Assert.Equal(sessions, atA.Select(s => s.SessionId).Intersect(atB.Select(s => s.SessionId)).Count());

        // Every one of them is live at the same time: a message on each arrives on its own session.
        for (var i = 0; i < sessions; i++)
        {
            atB[i].Session.Tell(new SendMessage(BitConverter.GetBytes(i)), probeB.Ref);
        }

        probeB.ReceiveN(sessions, deadline).ToList().ForEach(m => Assert.IsType<SendAck>(m));
        var received = probeA.ReceiveN(sessions, deadline).Cast<MessageReceived>().ToList();
        var bySession = atB.Select((s, i) => (s.SessionId, i)).ToDictionary(x => x.SessionId, x => x.i);
        Assert.All(received, m => Assert.Equal(bySession[m.SessionId], BitConverter.ToInt32(m.Data.Span)));
    }

    [Theory]
    [InlineData("oversized", KamuneError.FrameTooLarge)]
    [InlineData("truncated", KamuneError.FrameTruncated)]
    [InlineData("out-of-phase", KamuneError.MalformedExchange)]
    public async Task A_hostile_raw_peer_is_disconnected_with_its_reason_while_a_parallel_session_carries_on(string attack, KamuneError expected)
    {
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe();
        var local = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, probeA.Ref);
        await NodeB.DialAsync("127.0.0.1", local.Port, probeB.Ref);
        var healthyA = probeA.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));
        var healthyB = probeB.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));

        using var hostile = new TcpClient();
        await hostile.ConnectAsync(IPAddress.Loopback, local.Port);
        var stream = hostile.GetStream();
        try
        {
            switch (attack)
            {
                case "oversized":
                    // The listener allows 65,535; announce it and then keep the connection open: only the header matters.
                    await stream.WriteAsync(new byte[] { 0xFF, 0xFF });
                    await stream.WriteAsync(new byte[100]);
                    hostile.Client.Shutdown(SocketShutdown.Send);
                    break;
                case "truncated":
                    await stream.WriteAsync(new byte[] { 0x04, 0xC0, 1, 2, 3 });
                    hostile.Client.Shutdown(SocketShutdown.Send);
                    break;
                case "out-of-phase":
                    // A frame where the initiator's 1216-byte X-Wing key belongs.
                    await RawFrames.WriteAsync(stream, new byte[] { 9, 9, 9 });
                    break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The node may reset the connection as soon as it read the bad header, before the rest is written: that
            // is the refusal this test expects, asserted below from the node's side.
        }

        var closed = probeA.FishForMessage<SessionClosed>(c => c.SessionId is null, TimeSpan.FromSeconds(20));
        Assert.Equal(expected, closed.Error);
        Assert.True(await RawFrames.ClosedWithinAsync(hostile, TimeSpan.FromSeconds(10)));

        healthyB.Session.Tell(new SendMessage(new byte[] { 7 }), probeB.Ref);
        probeB.ExpectMsg<SendAck>();
        var message = probeA.FishForMessage<MessageReceived>(_ => true, TimeSpan.FromSeconds(10));
        Assert.Equal(healthyA.SessionId, message.SessionId);
    }

    private sealed record AllReceived(int Count);

    private sealed record OrderBroken(long Expected, long Got);

    /// <summary>Checks that message i carries index i: no loss, no duplicate, no reordering. Reports the end.</summary>
    private sealed class OrderCheckingHandler : ReceiveActor
    {
        private int _next;

        public OrderCheckingHandler(IActorRef probe, int count)
        {
            Receive<SessionEstablished>(probe.Tell);
            Receive<SessionClosed>(probe.Tell);
            Receive<MessageReceived>(m =>
            {
                var index = BinaryPrimitives.ReadInt32BigEndian(m.Data.Span);
                if (index != _next)
                {
                    probe.Tell(new OrderBroken(_next, index));
                }

                if (++_next == count)
                {
                    probe.Tell(new AllReceived(_next));
                }

                // kamune.delivery-window (256 by default): each delivery is answered once handled.
                m.Session.Tell(DeliveryAck.Instance);
            });
        }
    }

    /// <summary>Sends messages 0..count-1 in order, one outstanding at a time; a back-pressure refusal is retried, never skipped.</summary>
    private sealed class Pump : ReceiveActor, IWithTimers
    {
        private int _next;

        public Pump(IActorRef session, int count, IActorRef probe)
        {
            Receive<SendAck>(_ =>
            {
                if (++_next < count)
                {
                    session.Tell(Message(_next));
                }
            });
            Receive<SendRefused>(refused =>
            {
                if (!refused.Reason.StartsWith("Back-pressure", StringComparison.Ordinal))
                {
                    probe.Tell(refused);
                    return;
                }

                Timers.StartSingleTimer("retry", Retry.Instance, TimeSpan.FromMilliseconds(2));
            });
            Receive<Retry>(_ => session.Tell(Message(_next)));
            session.Tell(Message(0));
        }

        public ITimerScheduler Timers { get; set; } = null!;

        private static SendMessage Message(int index)
        {
            var data = new byte[16];
            BinaryPrimitives.WriteInt32BigEndian(data, index);
            return new SendMessage(data);
        }

        private sealed class Retry
        {
            public static readonly Retry Instance = new();
        }
    }
}

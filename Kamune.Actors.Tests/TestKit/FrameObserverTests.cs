using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Tests.Support;

namespace Kamune.Tests.TestKit;

// Issue 17 item 5: KamuneNodeOptions.FrameObserver sees a real node's frames over TCP, exactly as they cross the wire,
// so a golden transcript needs no relay. The relay here only proves it: both sides' recordings against its bytes.
public sealed class FrameObserverTests : TwoNodeTestKit
{
    private static readonly Config NodeConfig = ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(KamuneConfig.Default);

    private readonly FrameRecorder _listener;
    private readonly FrameRecorder _dialer;

    public FrameObserverTests()
        : this(new FrameRecorder(), new FrameRecorder())
    {
    }

    private FrameObserverTests(FrameRecorder listener, FrameRecorder dialer)
        : base(NodeConfig, "observed-listener", "observed-dialer", 0xA1, 0xB1, framesA: listener, framesB: dialer)
    {
        _listener = listener;
        _dialer = dialer;
    }

    [Fact]
    public async Task The_frame_observers_of_both_nodes_record_every_frame_each_way_exactly_as_a_tcp_relay_between_them_sees_it()
    {
        var listening = CreateTestProbe();
        var dialing = CreateTestProbe();
        var bound = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, listening.Ref);
        await using var relay = new TcpRelay(bound);
        await NodeB.DialAsync("127.0.0.1", relay.Port, dialing.Ref);
        var session = dialing.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20)).Session;
        listening.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));

        session.Tell(new SendMessage("observed"u8.ToArray()), dialing.Ref);
        dialing.ExpectMsg<SendAck>();
        Assert.Equal("observed"u8.ToArray(), listening.ExpectMsg<MessageReceived>().Data.ToArray());
        session.Tell(CloseSession.Instance, dialing.Ref);
        dialing.FishForMessage<SessionClosed>(_ => true, TimeSpan.FromSeconds(20));
        listening.FishForMessage<SessionClosed>(_ => true, TimeSpan.FromSeconds(20));
        await relay.Completion.WaitAsync(TimeSpan.FromSeconds(20));

        // protocol.md step 1: the dialer's X-Wing key, 1,216 bytes; the listener's merged answer, 2,338 bytes.
        Assert.Equal(1216, _dialer.Sent[0].Length);
        Assert.Equal(2338, _listener.Sent[0].Length);
        // Every frame each way: what the sender saw itself write, what the receiver saw itself read, what the wire carried.
        AwaitAssert(() =>
        {
            Assert.Equal(relay.ToTarget(), _dialer.Sent.ToStream());
            Assert.Equal(relay.ToTarget(), _listener.Received.ToStream());
            Assert.Equal(relay.ToClient(), _listener.Sent.ToStream());
            Assert.Equal(relay.ToClient(), _dialer.Received.ToStream());
        }, TimeSpan.FromSeconds(10));
        Assert.True(_dialer.Sent.Count >= 6, $"expected the whole session from the dialer, got {_dialer.Sent.Count} frames");
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, relay.Port)], _dialer.Remotes);
        Assert.All(_listener.Remotes, remote => Assert.Equal(IPAddress.Loopback, ((IPEndPoint)remote).Address));
    }
}

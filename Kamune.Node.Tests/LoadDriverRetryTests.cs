using System.Collections.Concurrent;
using Akka.Actor;
using Kamune.Node.Bench;
using Kamune.Node.Cli;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Tests;

/// <summary>The bench's load driver against a stand-in hub and session: what it does when the session refuses a send.</summary>
public sealed class LoadDriverRetryTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ActorSystem _system = ActorSystem.Create("load-driver-tests");

    [Fact]
    public async Task A_send_the_session_refused_is_sent_again_and_its_echo_completes_the_run()
    {
        var sends = new BlockingCollection<SendMessage>();
        var session = _system.ActorOf(Props.Create(() => new RecordingSession(sends)));
        var hub = _system.ActorOf(Props.Create(() => new DialingHub(session)));
        var target = new PeerAddress("127.0.0.1", 7411);
        var driver = new LoadDriver(new LoadPlan(target, Sessions: 1, MessagesPerSession: 3, Size: 4, Window: 3, ParallelDials: 1), [1, 2, 3, 4]);

        var run = driver.RunAsync(hub, Bound, Bound, progress: null);
        var first = Enumerable.Range(0, 3).Select(_ => Take(sends)).ToList();
        Assert.All(first, s => Assert.Equal(1, s.CorrelationId));

        // The third one is refused for back-pressure: it must come again, not be counted as lost.
        driver.OnSendRefused(1, "Back-pressure: 3 frames already wait for the connection; retry later.");
        var retried = Take(sends);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, retried.Data.ToArray());
        Assert.Equal(1, retried.CorrelationId);

        for (var sequence = 3UL; sequence < 6; sequence++)
        {
            driver.Emit(new NodeEvent.MessageReceived(1, sequence, new byte[] { 1, 2, 3, 4 }));
        }

        var report = await run.WaitAsync(Bound);
        Assert.Equal(3, report.RoundTrips);
        Assert.Equal(1, report.RetriedSends);
        Assert.StartsWith("Back-pressure", report.FirstRefusal);
        Assert.Equal(0, report.Failed);
        Assert.False(sends.TryTake(out _, TimeSpan.FromMilliseconds(100)), "expected no send beyond the plan's 3 and the retry");
    }

    [Fact]
    public async Task A_refusal_for_a_session_that_was_lost_is_not_sent_again()
    {
        var sends = new BlockingCollection<SendMessage>();
        var session = _system.ActorOf(Props.Create(() => new RecordingSession(sends)));
        var hub = _system.ActorOf(Props.Create(() => new DialingHub(session)));
        var driver = new LoadDriver(new LoadPlan(new PeerAddress("127.0.0.1", 7411), 1, 2, 4, 2, 1), [9, 9, 9, 9]);

        var run = driver.RunAsync(hub, Bound, Bound, progress: null);
        Take(sends);
        Take(sends);
        driver.Emit(new NodeEvent.SessionClosed(1, "connection_lost", "gone"));
        driver.OnSendRefused(1, "Session closed (ConnectionLost).");

        var report = await run.WaitAsync(Bound);
        Assert.Equal(1, report.Failed);
        Assert.Equal(0, report.RetriedSends);
        Assert.False(sends.TryTake(out _, TimeSpan.FromMilliseconds(100)), "expected no send to a lost session");
    }

    private static SendMessage Take(BlockingCollection<SendMessage> sends) =>
        sends.TryTake(out var send, Bound) ? send : throw new TimeoutException($"expected a SendMessage within {Bound.TotalSeconds} s, got none");

    public void Dispose() => _system.Dispose();

    private sealed class RecordingSession : ReceiveActor
    {
        public RecordingSession(BlockingCollection<SendMessage> sends) => Receive<SendMessage>(sends.Add);
    }

    private sealed class DialingHub : ReceiveActor
    {
        public DialingHub(IActorRef session) =>
            Receive<HubDial>(dial => Sender.Tell(new DialOutcome(dial.Address, 1, null, session)));
    }
}

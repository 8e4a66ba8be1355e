using System.Diagnostics;
using System.Net;
using Akka.Actor;
using Xunit.Abstractions;

namespace Kamune.Tests.Load;

/// <summary>
/// Issue 6 item 4: one node accepts 1,000 concurrent sessions over loopback TCP, each carries messages both ways,
/// and every message arrives exactly once, in order and intact (<see cref="CheckingLoadHandler"/>); once they are
/// closed both managers report nothing left, and memory returns near where it started while the listener is still bound.
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class ThousandSessionsTests : TwoNodeLoadTestKit
{
    private const int Sessions = 1_000;
    private const int DialBatch = 100;
    private const int MessagesEachWay = 20;

    // Growth allowed between before-dial and after close: far below what 1,000 live sessions take (about
    // 136 MiB, docs/reliability.md), so sessions, connections or buffers that outlive them fail the test.
    private const long RetainedBound = 24 * 1024 * 1024;

    // Live heap the load may add to 1,000 freshly established sessions (measured: 16-33 MiB, both ends here). A
    // session that buffered without bound, or kept what it sent or received, would exceed it.
    private const long InFlightBound = 48 * 1024 * 1024;

    // The bounded time of the issue: every phase must finish within it, or the test fails.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly ITestOutputHelper _output;

    public ThousandSessionsTests(ITestOutputHelper output)
        : base("load", 0xA4, 0xB4, output)
    {
        _output = output;
    }

    [Fact]
    public async Task One_node_accepts_a_thousand_sessions_that_deliver_every_message_once_in_order_both_ways_and_frees_them_on_close()
    {
        var clock = Stopwatch.StartNew();
        var dials = CreateTestProbe();
        var done = CreateTestProbe();
        var (handlerA, handlerB, eventsA, eventsB, listenAddress, port) = await ListenWithCheckingHandlersAsync();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        // Dial in batches: a batch's handshakes finish before the next starts, so no dial waits behind hundreds.
        var atB = new List<SessionEstablished>();
        for (var batch = 0; batch < Sessions / DialBatch; batch++)
        {
            for (var i = 0; i < DialBatch; i++)
            {
                NodeB.Manager.Tell(new DialPeer("127.0.0.1", port, handlerB), dials.Ref);
            }

            Assert.All(dials.ReceiveN(DialBatch, Left(clock)), reply => Assert.IsType<DialConnected>(reply));
            atB.AddRange(eventsB.ReceiveN(DialBatch, Left(clock)).Select(e => Assert.IsType<SessionEstablished>(e)));
        }

        var atA = eventsA.ReceiveN(Sessions, Left(clock)).Select(e => Assert.IsType<SessionEstablished>(e)).ToList();
        var established = clock.Elapsed;
        var index = atB.Select((s, i) => (s.SessionId, i)).ToDictionary(x => x.SessionId, x => x.i);
        Assert.Equal(Sessions, index.Count);
        Assert.All(atA, s => Assert.Contains(s.SessionId, (IReadOnlyDictionary<string, int>)index));
        var stateA = await ManagerStates.AwaitAsync(NodeA, s => s.Sessions == Sessions && s.Handshaking == 0, Left(clock));
        Assert.Equal(new ManagerStateCounts(1, Sessions, Sessions), Counts(stateA));
        Assert.Equal(new ManagerStateCounts(0, Sessions, Sessions), Counts(await ManagerStates.AwaitAsync(NodeB, s => s.Sessions == Sessions, Left(clock))));
        var withSessions = GC.GetTotalMemory(forceFullCollection: true);

        // The live heap while every session carries messages both ways: what the flood itself holds in flight.
        using var sampling = new CancellationTokenSource();
        var peakUnderLoad = SamplePeakHeapAsync(sampling.Token);
        handlerA.Tell(new StartLoad(index, MessagesEachWay), done.Ref);
        handlerB.Tell(new StartLoad(index, MessagesEachWay), done.Ref);
        done.ExpectMsg<LoadDone>(Left(clock));
        done.ExpectMsg<LoadDone>(Left(clock));
        var loaded = clock.Elapsed;
        await sampling.CancelAsync();
        var (peak, samples) = await peakUnderLoad;
        var afterLoad = GC.GetTotalMemory(forceFullCollection: true);

        var resultsA = await handlerA.Ask<LoadResults>(GetLoadResults.Instance, Left(clock));
        var resultsB = await handlerB.Ask<LoadResults>(GetLoadResults.Instance, Left(clock));
        AssertDeliveredExactlyOnceInOrder(resultsA, resultsB, Sessions, MessagesEachWay);

        handlerB.Tell(CloseAllSessions.Instance);
        Assert.All(eventsB.ReceiveN(Sessions, Left(clock)), e => Assert.Equal(CloseReason.LocalClose, Assert.IsType<SessionClosed>(e).Reason));
        Assert.All(eventsA.ReceiveN(Sessions, Left(clock)), e => Assert.Equal(CloseReason.PeerClosed, Assert.IsType<SessionClosed>(e).Reason));
        await ManagerStates.AwaitAsync(NodeA, s => ManagerStates.Idle(s, listeners: 1), Left(clock));
        await ManagerStates.AwaitAsync(NodeB, s => ManagerStates.Idle(s, listeners: 0), Left(clock));
        atA.Clear();
        atB.Clear();
        var afterClose = await HeapReadings.AwaitBelowAsync(before + RetainedBound, TimeSpan.FromSeconds(15));

        // Checked while the listener is still bound: a long-running node never unbinds, so nothing of a closed
        // connection may stay reachable from its listener (docs/reliability.md, finding 3).
        Assert.True(afterClose - before < RetainedBound,
            $"managed heap after close, listener still bound: expected under {(before + RetainedBound) / 1024} KiB, got {afterClose / 1024} KiB (before dialing {before / 1024} KiB)");
        await NodeA.Manager.Ask<ListenerUnbound>(new UnbindListener(listenAddress), Left(clock));
        await ManagerStates.AwaitAsync(NodeA, s => ManagerStates.Idle(s, listeners: 0), Left(clock));
        var afterUnbind = GC.GetTotalMemory(forceFullCollection: true);

        var refusals = resultsA.Sessions.Values.Sum(t => t.Refusals) + resultsB.Sessions.Values.Sum(t => t.Refusals);
        _output.WriteLine(
            $"{Sessions} sessions established in {established.TotalSeconds:F1} s; {2 * Sessions * MessagesEachWay} messages by " +
            $"{loaded.TotalSeconds:F1} s ({refusals} back-pressure refusals retried); closed by {clock.Elapsed.TotalSeconds:F1} s");
        _output.WriteLine(
            $"managed heap: before {before / 1024} KiB, established {withSessions / 1024} KiB " +
            $"({(withSessions - before) / Sessions / 1024.0:F1} KiB per session, both ends in this process), " +
            $"under load at most {peak / 1024} KiB ({samples} samples), after the load {afterLoad / 1024} KiB, closed {afterClose / 1024} KiB, unbound {afterUnbind / 1024} KiB");
        Assert.True(samples > 0, "expected at least one heap sample while the load ran, got none");
        Assert.True(peak - withSessions < InFlightBound,
            $"live heap under load: expected under {(withSessions + InFlightBound) / 1024} KiB, got {peak / 1024} KiB (established {withSessions / 1024} KiB)");
        Assert.True(afterUnbind - before < RetainedBound,
            $"managed heap after unbind: expected under {(before + RetainedBound) / 1024} KiB, got {afterUnbind / 1024} KiB (before dialing {before / 1024} KiB)");
    }

    // Full collections every half second until cancelled: the largest live heap seen, and how many readings were taken.
    private static async Task<(long Peak, int Samples)> SamplePeakHeapAsync(CancellationToken cancellation)
    {
        long peak = 0;
        var samples = 0;
        while (!cancellation.IsCancellationRequested)
        {
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
            samples++;
            try
            {
                await Task.Delay(500, cancellation);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return (peak, samples);
    }

    /// <summary>What one node sent on each session is exactly what the other received, and all of it.</summary>
    internal static void AssertDeliveredExactlyOnceInOrder(LoadResults a, LoadResults b, int sessions, int messages)
    {
        Assert.Empty(a.Violations);
        Assert.Empty(b.Violations);
        var started = a.Sessions.Where(s => s.Value.Index >= 0).ToList();
        Assert.Equal(sessions, started.Count);
        Assert.Equal(sessions, b.Sessions.Count(s => s.Value.Index >= 0));
        foreach (var (sessionId, atA) in started)
        {
            var atB = b.Sessions[sessionId];
            Assert.Equal(atA.Index, atB.Index);
            Assert.Equal((messages, messages), (atA.Sent, atA.Received));
            Assert.Equal((messages, messages), (atB.Sent, atB.Received));
            Assert.Equal(Convert.ToHexString(atA.SentHash), Convert.ToHexString(atB.ReceivedHash));
            Assert.Equal(Convert.ToHexString(atB.SentHash), Convert.ToHexString(atA.ReceivedHash));
        }
    }

    private static TimeSpan Left(Stopwatch clock) => Left(clock, Deadline);

    private static ManagerStateCounts Counts(Kamune.Actors.Runtime.ManagerState state) =>
        new(state.Listeners, state.Connections, state.Sessions);

    private sealed record ManagerStateCounts(int Listeners, int Connections, int Sessions);
}

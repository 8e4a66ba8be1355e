using System.Diagnostics;
using System.Net;
using Akka.Actor;
using Xunit.Abstractions;

namespace Kamune.Tests.Load;

/// <summary>
/// A listener that stays bound keeps nothing of the connections it accepted once they close: round after round of
/// sessions, the managed heap does not grow with the number of connections ever accepted (issue 3, "no buffer
/// outlives its connection"; docs/reliability.md, finding 3).
/// </summary>
[Collection(LoadCollection.Name)]
public sealed class ListenerRetentionTests : TwoNodeLoadTestKit
{
    private const int SessionsPerRound = 200;
    private const int MeasuredRounds = 3;

    // Each accepted connection used to stay reachable with its whole stream graph (about 64 KiB), so three rounds of
    // 200 would add about 37 MiB; what may stay is pool and bookkeeping growth far below that.
    private const long GrowthBound = 6 * 1024 * 1024;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly ITestOutputHelper _output;

    public ListenerRetentionTests(ITestOutputHelper output)
        : base("retention", 0xA5, 0xB5, output)
    {
        _output = output;
    }

    [Fact]
    public async Task A_listener_that_stays_bound_does_not_grow_with_the_connections_it_has_accepted()
    {
        var clock = Stopwatch.StartNew();
        var (_, handlerB, eventsA, eventsB, _, port) = await ListenWithCheckingHandlersAsync();

        // The first round warms up what is sized once (JIT, Akka.IO buffer pools, dispatcher threads).
        await RoundAsync(port, handlerB, eventsA, eventsB, clock);
        var afterFirst = await SettledHeapAsync(clock);
        for (var round = 0; round < MeasuredRounds; round++)
        {
            await RoundAsync(port, handlerB, eventsA, eventsB, clock);
        }

        // The last rounds' sessions may stay reachable for a few seconds after they close (see HeapReadings).
        var afterLast = await HeapReadings.AwaitBelowAsync(afterFirst + GrowthBound, TimeSpan.FromSeconds(15));

        var state = await NodeA.Manager.Ask<Kamune.Actors.Runtime.ManagerState>(Kamune.Actors.Runtime.GetManagerState.Instance, Left(clock));
        _output.WriteLine(
            $"managed heap after the first round {afterFirst / 1024} KiB, after {MeasuredRounds} more rounds of {SessionsPerRound} " +
            $"{afterLast / 1024} KiB ({(afterLast - afterFirst) / 1024} KiB more); {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(1, state.Listeners);
        Assert.True(afterLast - afterFirst < GrowthBound,
            $"managed heap after {MeasuredRounds * SessionsPerRound} more accepted and closed connections: expected under " +
            $"{(afterFirst + GrowthBound) / 1024} KiB, got {afterLast / 1024} KiB (after the first round {afterFirst / 1024} KiB)");
    }

    // The heap once the scheduler has let go of the closed sessions' cancelled timers: two readings a wheel turn apart agree.
    private static async Task<long> SettledHeapAsync(Stopwatch clock)
    {
        var last = GC.GetTotalMemory(forceFullCollection: true);
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(6), CancellationToken.None);
            var now = GC.GetTotalMemory(forceFullCollection: true);
            if (Math.Abs(now - last) < 512 * 1024 || Left(clock) < TimeSpan.FromSeconds(30))
            {
                return Math.Min(now, last);
            }

            last = now;
        }
    }

    // B dials a round of sessions to A's listener, then closes them all; both nodes end with nothing but A's listener.
    private async Task RoundAsync(int port, IActorRef handlerB, Akka.TestKit.TestProbe eventsA, Akka.TestKit.TestProbe eventsB, Stopwatch clock)
    {
        var dials = CreateTestProbe();
        for (var i = 0; i < SessionsPerRound; i++)
        {
            NodeB.Manager.Tell(new DialPeer("127.0.0.1", port, handlerB), dials.Ref);
        }

        Assert.All(dials.ReceiveN(SessionsPerRound, Left(clock)), reply => Assert.IsType<DialConnected>(reply));
        Assert.All(eventsB.ReceiveN(SessionsPerRound, Left(clock)), e => Assert.IsType<SessionEstablished>(e));
        Assert.All(eventsA.ReceiveN(SessionsPerRound, Left(clock)), e => Assert.IsType<SessionEstablished>(e));
        handlerB.Tell(CloseAllSessions.Instance);
        Assert.All(eventsB.ReceiveN(SessionsPerRound, Left(clock)), e => Assert.Equal(CloseReason.LocalClose, Assert.IsType<SessionClosed>(e).Reason));
        Assert.All(eventsA.ReceiveN(SessionsPerRound, Left(clock)), e => Assert.Equal(CloseReason.PeerClosed, Assert.IsType<SessionClosed>(e).Reason));
        await ManagerStates.AwaitAsync(NodeA, s => ManagerStates.Idle(s, listeners: 1), Left(clock));
        await ManagerStates.AwaitAsync(NodeB, s => ManagerStates.Idle(s, listeners: 0), Left(clock));
    }

    private static TimeSpan Left(Stopwatch clock) => Left(clock, Deadline);
}

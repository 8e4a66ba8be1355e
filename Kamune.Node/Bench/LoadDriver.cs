using System.Diagnostics;
using System.Runtime;
using Akka.Actor;
using Kamune.Node.Cli;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Bench;

/// <summary>What one bench run asks for.</summary>
internal sealed record LoadPlan(PeerAddress Target, int Sessions, int MessagesPerSession, int Size, int Window, int ParallelDials);

/// <summary>How long the warm-up ran, whether it ended with the JIT quiet (else at its time limit), and the methods the JIT compiled by then.</summary>
internal sealed record WarmUpReport(TimeSpan Elapsed, bool JitQuiet, long CompiledMethods);

/// <summary>What one bench run measured.</summary>
internal sealed record LoadReport(
    int Established,
    int Failed,
    string? FirstError,
    TimeSpan HandshakePhase,
    TimeSpan[] HandshakeLatency,
    long RoundTrips,
    TimeSpan MessagePhase,
    TimeSpan[] RoundTripLatency,
    long RetriedSends = 0,
    string? FirstRefusal = null);

/// <summary>
/// The bench load: dials sessions to an --echo node, then keeps <see cref="LoadPlan.Window"/> messages in flight on
/// every session and times each round trip (echo order equals send order on a session, so a FIFO of send times
/// per session pairs them). Receives the session hub's events as its output.
/// </summary>
internal sealed class LoadDriver : INodeOutput, IRefusedSendHandler
{
    // A refused send is offered again after this long: the session's window frees as its writer confirms frames.
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(2);

    public static readonly double[] ReportedPercentiles = [50, 90, 99, 99.9, 100];

    private readonly ReadOnlyMemory<byte> _payload;
    private readonly object _gate = new();
    private readonly Dictionary<int, SessionLoad> _sessions = new();
    private LoadPlan _plan;
    private LatencyStats _roundTrips;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IActorRef _hub = ActorRefs.Nobody;
    private long _received;
    private int _finishedSessions;
    private string? _firstError;
    private string? _firstRefusal;
    private long _retriedSends;

    public LoadDriver(LoadPlan plan, byte[] payload)
    {
        _plan = plan;
        _payload = payload;
        _roundTrips = new LatencyStats(0);
    }

    public long Received => Interlocked.Read(ref _received);

    /// <summary>
    /// Untimed rounds of the same load, a few sessions at a time, each closed before the next, until
    /// <see cref="WarmUpGauge"/> says the JIT is quiet: tiered compilation keeps recompiling hot code for several
    /// seconds, and a measured phase that shares the cores with it measures the JIT (a Go binary starts compiled).
    /// </summary>
    public async Task<WarmUpReport> WarmUpAsync(
        IActorRef hub, TimeSpan minimum, TimeSpan dialTimeout, TimeSpan stallTimeout, TimeSpan closeTimeout, IProgress<string>? progress = null)
    {
        var measured = _plan;
        var round = measured with
        {
            Sessions = Math.Min(measured.Sessions, 4),
            MessagesPerSession = Math.Min(measured.MessagesPerSession, 1000),
            ParallelDials = Math.Min(measured.ParallelDials, 4),
        };
        var gauge = new WarmUpGauge(minimum);
        var clock = Stopwatch.StartNew();
        var rounds = 0;
        // The warm-up takes several seconds (up to ten times --warmup): each round's own progress says it is alive.
        var roundProgress = progress is null
            ? null
            : ProgressLine.Prefixed(progress, () => $"warm-up {clock.Elapsed.TotalSeconds:0.0} s, round {rounds}: ");
        try
        {
            while (true)
            {
                var roundStarted = clock.Elapsed;
                _plan = round;
                rounds++;
                var report = await RunAsync(hub, dialTimeout, stallTimeout, roundProgress).ConfigureAwait(false);
                await Commands.RunCommand.CloseAllAsync(hub, closeTimeout).ConfigureAwait(false);
                if (report.Established == 0)
                {
                    throw new NodeException(report.FirstError ?? $"bench warm-up: no session to {measured.Target} came up");
                }

                var now = clock.Elapsed;
                if (gauge.IsDone(now, JitInfo.GetCompilationTime(), now - roundStarted))
                {
                    return new WarmUpReport(now, gauge.JitQuiet, JitInfo.GetCompiledMethodCount());
                }
            }
        }
        finally
        {
            _plan = measured;
        }
    }

    public async Task<LoadReport> RunAsync(IActorRef hub, TimeSpan dialTimeout, TimeSpan stallTimeout, IProgress<string>? progress)
    {
        _hub = hub;
        lock (_gate)
        {
            _sessions.Clear();
            _roundTrips = new LatencyStats(checked(_plan.Sessions * _plan.MessagesPerSession));
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _received, 0);
            _finishedSessions = 0;
            _firstError = null;
            _firstRefusal = null;
            _retriedSends = 0;
        }

        var handshakeLatency = new LatencyStats(_plan.Sessions);
        var established = new List<(int Session, IActorRef Actor)>();
        var failed = 0;
        var handshakes = Stopwatch.StartNew();
        using (var gate = new SemaphoreSlim(_plan.ParallelDials))
        {
            var dials = Enumerable.Range(0, _plan.Sessions).Select(async _ =>
            {
                await gate.WaitAsync().ConfigureAwait(false);
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    var outcome = await hub.Ask<DialOutcome>(new HubDial(_plan.Target), dialTimeout).ConfigureAwait(false);
                    lock (_gate)
                    {
                        if (outcome.Session is { } session)
                        {
                            handshakeLatency.Add(Stopwatch.GetTimestamp() - started);
                            established.Add((session, outcome.Actor ?? throw new InvalidOperationException($"bench: session {session} came without its actor")));
                        }
                        else
                        {
                            failed++;
                            _firstError ??= outcome.Error;
                        }

                        progress?.Report($"handshakes {established.Count + failed}/{_plan.Sessions}");
                    }
                }
                finally
                {
                    gate.Release();
                }
            });
            await Task.WhenAll(dials).ConfigureAwait(false);
        }

        var handshakePhase = handshakes.Elapsed;
        if (established.Count == 0)
        {
            return new LoadReport(0, failed, _firstError, handshakePhase, [], 0, TimeSpan.Zero, []);
        }

        var messages = Stopwatch.StartNew();
        lock (_gate)
        {
            foreach (var (session, actor) in established)
            {
                var load = new SessionLoad(actor);
                _sessions[session] = load;
                var first = Math.Min(_plan.Window, _plan.MessagesPerSession);
                for (var i = 0; i < first; i++)
                {
                    SendNext(session, load);
                }
            }

            if (_plan.MessagesPerSession == 0)
            {
                _done.TrySetResult();
            }
        }

        var total = (long)established.Count * _plan.MessagesPerSession;
        var lastSeen = -1L;
        var lastProgress = Stopwatch.StartNew();
        while (!_done.Task.IsCompleted)
        {
            await Task.WhenAny(_done.Task, Task.Delay(250)).ConfigureAwait(false);
            var now = Received;
            var rate = now / Math.Max(messages.Elapsed.TotalSeconds, 1e-3);
            progress?.Report($"messages {now}/{total}  {rate:F0} round trips/s");
            if (now != lastSeen)
            {
                lastSeen = now;
                lastProgress.Restart();
            }
            else if (lastProgress.Elapsed > stallTimeout)
            {
                string? firstError;
                lock (_gate)
                {
                    firstError = _firstError;
                }

                throw new NodeException($"bench: no echo for {stallTimeout.TotalSeconds:F0} s after {now} of {total} round trips; " +
                    (firstError is null ? "is the target running with --echo?" : $"first error: {firstError}"));
            }
        }

        var messagePhase = messages.Elapsed;
        lock (_gate)
        {
            return new LoadReport(established.Count, failed + _sessions.Values.Count(s => s.Lost), _firstError, handshakePhase,
                handshakeLatency.Percentiles(ReportedPercentiles), Received, messagePhase, _roundTrips.Percentiles(ReportedPercentiles),
                _retriedSends, _firstRefusal);
        }
    }

    public void Emit(NodeEvent nodeEvent)
    {
        switch (nodeEvent)
        {
            case NodeEvent.MessageReceived received:
                lock (_gate)
                {
                    if (!_sessions.TryGetValue(received.Session, out var load) || load.SendTimes.Count == 0)
                    {
                        return;
                    }

                    _roundTrips.Add(Stopwatch.GetTimestamp() - load.SendTimes.Dequeue());
                    Interlocked.Increment(ref _received);
                    load.Received++;
                    if (load.Sent < _plan.MessagesPerSession)
                    {
                        SendNext(received.Session, load);
                    }
                    else if (load.Received == _plan.MessagesPerSession)
                    {
                        FinishSession();
                    }
                }

                break;
            case NodeEvent.SessionClosed closed:
                lock (_gate)
                {
                    if (_sessions.TryGetValue(closed.Session, out var load) && load.Received < _plan.MessagesPerSession && !load.Lost)
                    {
                        load.Lost = true;
                        _firstError ??= $"session {closed.Session} closed during the run: {closed.Reason} ({closed.Detail})";
                        FinishSession();
                    }
                }

                break;
            case NodeEvent.Error error:
                lock (_gate)
                {
                    _firstError ??= error.Message;
                }

                break;
        }
    }

    /// <summary>
    /// The session refused a send for back-pressure (its send window also counts frames not yet confirmed by the
    /// connection, such as the handshake's last frames while the first burst goes out): it is sent again shortly, not
    /// lost. Its send time stays where it was, so a retried message's round trip counts from its first attempt.
    /// </summary>
    public void OnSendRefused(int session, string reason)
    {
        lock (_gate)
        {
            if (!_sessions.TryGetValue(session, out var load) || load.Lost)
            {
                return;
            }

            _retriedSends++;
            _firstRefusal ??= reason;
        }

        _ = RetryAsync(session);
    }

    private async Task RetryAsync(int session)
    {
        await Task.Delay(RetryDelay).ConfigureAwait(false);
        lock (_gate)
        {
            if (_sessions.TryGetValue(session, out var load) && !load.Lost)
            {
                load.Actor.Tell(new SendMessage(_payload, session), _hub);
            }
        }
    }

    // Straight to the session, on the hub's behalf: its acknowledgements still go to the hub, and the load does not
    // cost a hop through the hub per message.
    private void SendNext(int session, SessionLoad load)
    {
        load.Sent++;
        load.SendTimes.Enqueue(Stopwatch.GetTimestamp());
        load.Actor.Tell(new SendMessage(_payload, session), _hub);
    }

    private void FinishSession()
    {
        if (++_finishedSessions == _sessions.Count)
        {
            _done.TrySetResult();
        }
    }

    private sealed class SessionLoad(IActorRef actor)
    {
        /// <summary>The session actor, told directly on the hub's behalf.</summary>
        public IActorRef Actor { get; } = actor;

        public Queue<long> SendTimes { get; } = new();

        public int Sent { get; set; }

        public int Received { get; set; }

        public bool Lost { get; set; }
    }
}

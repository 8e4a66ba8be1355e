using System.Net;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Kamune.Protocol;
using static Kamune.Actors.Runtime.ConnectionWriterSignals;

namespace Kamune.Actors.Runtime;

/// <summary>
/// Owns one TCP connection. It materializes the byte stream (protocol.md layer 2 framing both ways) as one graph,
/// feeds inbound frames to the session actor with acknowledgement back-pressure (<see cref="SessionSink"/>) and
/// puts <see cref="WriteFrame"/> into a bounded queue (<see cref="OutboundQueue"/>), answering <see cref="FrameWritten"/>
/// only once the queue took the frame, so a slow socket slows the session; a frame it holds behind the full queue is
/// answered <see cref="FrameHeld"/> at once, one it cannot take any more <see cref="FrameDropped"/>. What it holds
/// for the peer is bounded in frames, bytes and age (<see cref="OutboundBacklog{TReply}"/>): past the bound or the
/// deadline the session is told <see cref="KamuneError.PeerNotReading"/> and the connection is aborted.
/// It watches its session: when the session stops, the connection is closed (gracefully, bounded by
/// write-timeout) and the writer stops, so nothing of the connection outlives it.
/// </summary>
internal sealed class ConnectionWriter : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private const string CloseTimer = "close";
    private const string DeadlineTimer = "deadline";
    private const string DialTimer = "dial";

    private readonly ConnectionTarget _target;
    private readonly KamuneSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SharedKillSwitch _killSwitch = KillSwitches.Shared("kamune-connection");
    // Senders of the frames the queue just took, told FrameWritten at once; reused to allocate nothing per frame.
    private readonly List<IActorRef> _taken = [];
    private OutboundQueue.Handle? _queue;
    private OutboundBacklog<IActorRef>? _backlog;
    private IActorRef? _inboundStage;
    private IActorRef? _peer;
    private EndPoint? _remote;
    private bool _socketClosed;
    private bool _peerGone;
    private bool _aborted;
    private bool _closing;
    private IMaterializer? _materializer;
    private readonly IFrameObserver? _frames;

    public ConnectionWriter(ConnectionTarget target, KamuneSettings settings, IMaterializer? materializer, IFrameObserver? frames = null)
    {
        _frames = frames;
        _target = target;
        _settings = settings;
        _materializer = materializer;
        Connecting();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="target">The accepted connection to run, or the address to dial.</param>
    /// <param name="settings">The node's settings: frame limits, write timeout and outbound bounds.</param>
    /// <param name="materializer">
    /// The node's materializer (the manager's), shared by all connections: a materializer per connection costs a
    /// supervisor actor each. The streams still end with this writer: its kill switch and the session sink's watch
    /// see to that. Null: a materializer of this writer's own (tests that run a writer alone).
    /// </param>
    /// <param name="frames">Sees the connection's frames both ways (KamuneNodeOptions.FrameObserver); null: none.</param>
    public static Props Props(ConnectionTarget target, KamuneSettings settings, IMaterializer? materializer = null, IFrameObserver? frames = null) =>
        ActorFactory.Props(() => new ConnectionWriter(target, settings, materializer, frames));

    protected override void PreStart()
    {
        // Never ActorSystem.Materializer(): that builds a new materializer per call and blocks a thread-pool thread
        // until the new supervisor starts, which starved the pool (and timed dials out) under a burst of connections.
        _materializer ??= Context.Materializer();
        if (_target is not ConnectionTarget.Outgoing outgoing)
        {
            Materialize(ConnectionGraph.Socket(Context.System, _target, _settings.MaxFrameLength, null));
            return;
        }

        // Our own dial deadline and name lookup: Akka's TCP stage reports every connect failure as "Connection failed".
        Timers.StartSingleTimer(DialTimer, DialTimedOut.Instance, outgoing.ConnectTimeout);
        if (outgoing.RemoteAddress is DnsEndPoint host)
        {
            System.Net.Dns.GetHostAddressesAsync(host.Host).PipeTo(Self,
                success: addresses => addresses.Length > 0
                    ? new Resolved(new IPEndPoint(addresses[0], host.Port))
                    : new ConnectionNotOpened($"host not found: {host.Host} has no address"),
                failure: ex => new ConnectionNotOpened($"host not found: {host.Host} ({ex.GetBaseException().Message})"));
        }
        else
        {
            Materialize(ConnectionGraph.Socket(Context.System, _target, _settings.MaxFrameLength, outgoing.RemoteAddress));
        }
    }

    private void Materialize(Flow<ByteString, ByteString, Task<ConnectionOpened>> socket)
    {
        var tap = _frames is null ? null : new FrameTap(_frames, TargetAddress);
        var (queue, opened, socketClosed) = ConnectionGraph.Run(socket, _settings, _killSwitch, Self, _materializer!, tap);
        _queue = queue;
        var self = Self;
        queue.OnRoom(() => self.Tell(OutboundQueueRoom.Instance));
        _backlog = new OutboundBacklog<IActorRef>(queue, new OutboundLimits(
            _settings.OutboundMaxFrames, _settings.OutboundMaxBytes, _settings.WriteTimeout));
        socketClosed.PipeTo(Self, success: _ => SocketClosed.Instance, failure: _ => SocketClosed.Instance);
        // Akka.IO gives up on a refused or unreachable address at once (after finish-connect-retries) and says only
        // "Connection failed"; a connect that is still pending ends with our DialTimer instead.
        opened.PipeTo(Self, success: ends => ends, failure: ex => new ConnectionNotOpened(
            _target is ConnectionTarget.Outgoing ? $"connection refused or unreachable ({ex.GetBaseException().Message})" : ex.Message));
    }

    protected override void PostStop()
    {
        // Whatever state we stop in, the socket goes with us; after a graceful close this finds nothing left to abort.
        if (!_socketClosed)
        {
            _killSwitch.Abort(new ConnectionAbortedException("connection writer stopped"));
        }
    }

    private void Connecting()
    {
        Receive<InboundReady>(_ => OnInboundReady());
        Receive<Resolved>(resolved => Materialize(ConnectionGraph.Socket(Context.System, _target, _settings.MaxFrameLength, resolved.Address)));
        Receive<DialTimedOut>(_ =>
        {
            var timeout = ((ConnectionTarget.Outgoing)_target).ConnectTimeout;
            _killSwitch.Abort(new ConnectionAbortedException("dial timed out"));
            Self.Tell(new ConnectionNotOpened($"timed out after {timeout.TotalSeconds:0.###} s"));
            Become(() =>
            {
                // The first verdict wins: the timeout, unless a failure was already on its way.
                Receive<ConnectionNotOpened>(NotOpened);
                ReceiveAny(_ => { });
            });
        });
        Receive<ConnectionOpened>(opened =>
        {
            Timers.Cancel(DialTimer);
            _remote = opened.RemoteAddress;
            _log.Debug("TCP connection {LocalAddress} <-> {RemoteAddress} open", opened.LocalAddress, opened.RemoteAddress);
            Context.Parent.Tell(opened);
            Become(AwaitingPeer);
        });
        Receive<ConnectionNotOpened>(NotOpened);
        Receive<SocketClosed>(_ => _socketClosed = true);
        ReceiveAny(_ => Stash.Stash());
    }

    private void NotOpened(ConnectionNotOpened failed)
    {
        _log.Info("TCP connection to {RemoteAddress} not opened: {Reason}", TargetAddress, failed.Reason);
        Context.Parent.Tell(failed);
        Context.Stop(Self);
    }

    private void AwaitingPeer()
    {
        Receive<InboundReady>(_ => OnInboundReady());
        Receive<AttachPeer>(attach =>
        {
            _peer = attach.Peer;
            Context.Watch(_peer);
            AttachSession();
            Stash.UnstashAll();
            Become(Open);
        });
        Receive<SocketClosed>(_ => _socketClosed = true);
        ReceiveAny(_ => Stash.Stash());
    }

    // The session sink runs (it may start before or after the session exists): hand it the session once both do.
    private void OnInboundReady()
    {
        if (_inboundStage is null)
        {
            _inboundStage = Sender;
            AttachSession();
        }
    }

    // The sink first, then the session, which takes frames only from the stage its own writer named (issue 18 item 9).
    private void AttachSession()
    {
        if (_peer is not null && _inboundStage is not null)
        {
            _inboundStage.Tell(new AttachSession(_peer));
            _peer.Tell(new ConnectionInit(_inboundStage));
        }
    }

    private void Open()
    {
        Receive<InboundReady>(_ => OnInboundReady());
        Receive<WriteFrame>(Write);
        Receive<OutboundQueueRoom>(_ =>
        {
            // Also a late notice, after an offer that found room on its second look: then nothing waits and this is a no-op.
            _backlog!.Drain(_taken);
            ConfirmTaken();
            CompleteWhenDrained();
        });
        Receive<DeadlineCheck>(_ => CheckDeadline());
        Receive<CloseConnection>(close =>
        {
            if (close.Abort)
            {
                Abort("session aborted the connection");
            }
            else
            {
                CloseGracefully();
            }
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_peer), _ =>
        {
            _peerGone = true;
            if (_aborted)
            {
                // The socket is already killed: nothing is left to flush.
                Context.Stop(Self);
                return;
            }

            CloseGracefully();
            StopWhenDone();
        });
        Receive<SocketClosed>(_ =>
        {
            _socketClosed = true;
            Timers.Cancel(CloseTimer);
            Timers.Cancel(DeadlineTimer);
            if (_backlog!.DropWaiting() is > 0 and var dropped)
            {
                // The session learns of the closed socket from the inbound side.
                _log.Debug("{Dropped} frames to {RemoteAddress} not queued: the connection has closed", dropped, _remote);
            }

            CompleteWhenDrained();
            StopWhenDone();
        });
        Receive<CloseTimedOut>(_ => Abort($"graceful close did not finish within {_settings.WriteTimeout}"));
        Receive<GetOutboundHeld>(_ => Sender.Tell(new OutboundHeld(_backlog!.Frames, _backlog.Bytes, _backlog.PeakFrames, _backlog.PeakBytes)));
    }

    // Every frame is answered at once, in order: FrameWritten (the queue took it), FrameHeld (it waits behind the full
    // queue; FrameWritten follows once the queue takes it) or FrameDropped, so the session acknowledges a send only
    // once this writer took responsibility for its frame, and refuses one it did not take.
    private void Write(WriteFrame write)
    {
        if (_aborted || _closing || _socketClosed)
        {
            // Cut on purpose, closing at the session's request, or closed by the peer or a failure: the frame cannot
            // go out any more; the session learns why from the connection's end.
            _log.Debug("Frame to {RemoteAddress} dropped: the connection is {State}", _remote,
                _aborted ? "cut" : _closing ? "closing" : "closed");
            Sender.Tell(FrameDropped.Instance);
            return;
        }

        if (_backlog!.Add(write.Payload, Sender, Now, _taken) is { } overBound)
        {
            PeerNotReading(overBound);
            Sender.Tell(FrameDropped.Instance);
            return;
        }

        if (_taken.Count == 0)
        {
            Sender.Tell(FrameHeld.Instance);
        }

        ConfirmTaken();
        // One timer per deadline, not per frame: when it fires it looks at the oldest frame then held (CheckDeadline).
        if (!Timers.IsTimerActive(DeadlineTimer))
        {
            Timers.StartSingleTimer(DeadlineTimer, DeadlineCheck.Instance, _settings.WriteTimeout);
        }
    }

    private void ConfirmTaken()
    {
        foreach (var sender in _taken)
        {
            sender.Tell(FrameWritten.Instance);
        }

        _taken.Clear();
    }

    private void CheckDeadline()
    {
        switch (_backlog!.TimeLeft(Now))
        {
            case null:
                // Everything went out since the timer was set; the next frame sets it again.
                return;
            case var left when left > TimeSpan.Zero:
                // The frame the timer was set for went out; a later one is the oldest now.
                Timers.StartSingleTimer(DeadlineTimer, DeadlineCheck.Instance, left.Value);
                return;
            default:
                PeerNotReading(
                    $"write deadline: expected the peer to read every frame within {_settings.WriteTimeout}, got one still "
                    + $"held after that ({_backlog.Frames} frames, {_backlog.Bytes} bytes held)");
                return;
        }
    }

    // The monotonic clock of the scheduler: not moved by a wall-clock step, and driven by a test scheduler in tests.
    private TimeSpan Now => Context.System.Scheduler.MonotonicClock;

    private void CloseGracefully()
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        if (!_socketClosed)
        {
            Timers.StartSingleTimer(CloseTimer, CloseTimedOut.Instance, _settings.WriteTimeout);
        }

        CompleteWhenDrained();
    }

    // A graceful close ends the stream once the frames waiting for room are in the queue: they go out first, in order.
    private void CompleteWhenDrained()
    {
        if (_closing && !_aborted && !_backlog!.HasWaiting && !_queue!.Completed)
        {
            _queue.Complete();
        }
    }

    // The session hears why before the socket goes: its ConnectionFailed from the inbound side comes after this one.
    private void PeerNotReading(string reason)
    {
        _log.Warning("Peer {RemoteAddress} is not reading: {Reason}; aborting the connection", _remote, reason);
        if (!_peerGone)
        {
            _peer!.Tell(new ConnectionFailed(new KamuneProtocolException(KamuneError.PeerNotReading, reason)));
        }

        Cut(reason);
    }

    private void Abort(string reason)
    {
        if (_aborted)
        {
            return;
        }

        _log.Info("Aborting TCP connection {RemoteAddress}: {Reason}", _remote, reason);
        Cut(reason);
    }

    private void Cut(string reason)
    {
        if (_aborted)
        {
            return;
        }

        _closing = true;
        _aborted = true;
        _backlog?.DropWaiting();
        _killSwitch.Abort(new ConnectionAbortedException(reason));
        Timers.CancelAll();
        if (_peerGone)
        {
            Context.Stop(Self);
        }
    }

    private void StopWhenDone()
    {
        if (_peerGone && _socketClosed)
        {
            Context.Stop(Self);
        }
    }

    private EndPoint TargetAddress => _target switch
    {
        ConnectionTarget.Accepted accepted => accepted.RemoteAddress,
        ConnectionTarget.Outgoing outgoing => outgoing.RemoteAddress,
        _ => throw new ArgumentException($"unknown connection target {_target.GetType().Name}"),
    };

    private sealed record Resolved(IPEndPoint Address) : IRuntimeMessage;
}

using System.Net;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Kamune.Actors.Configuration;

namespace Kamune.Actors.Runtime;

/// <summary>The TCP connection a <see cref="ConnectionWriter"/> runs: one the listener accepted, or one to dial.</summary>
internal abstract record ConnectionTarget
{
    public sealed record Accepted(Flow<ByteString, ByteString, NotUsed> Flow, EndPoint LocalAddress, EndPoint RemoteAddress)
        : ConnectionTarget;

    /// <param name="FirstFrameLength">The only length the peer's first frame may declare (KamuneFraming.FirstFrameLength); null: any.</param>
    public sealed record Outgoing(EndPoint RemoteAddress, TimeSpan ConnectTimeout, int? FirstFrameLength = null) : ConnectionTarget;
}

/// <summary>Writer to parent: the socket is connected; create the session and send <see cref="AttachPeer"/>.</summary>
internal sealed record ConnectionOpened(EndPoint LocalAddress, EndPoint RemoteAddress);

/// <summary>Writer to parent: the socket never connected (refused, unreachable, dial timeout). The writer stops.</summary>
internal sealed record ConnectionNotOpened(string Reason);

/// <summary>Parent to writer: the session actor that reads the inbound frames and writes through this writer.</summary>
internal sealed record AttachPeer(IActorRef Peer);

/// <summary>
/// Owns one TCP connection. It materializes the byte stream (protocol.md layer 2 framing both ways) as one graph,
/// feeds inbound frames to the session actor with acknowledgement back-pressure (<see cref="SessionSink"/>) and
/// puts <see cref="WriteFrame"/> into a bounded queue (<see cref="OutboundQueue"/>), answering <see cref="FrameWritten"/>
/// only once the queue took the frame, so a slow socket slows the session.
/// It watches its session: when the session stops, the connection is closed (gracefully, bounded by
/// write-timeout) and the writer stops, so nothing of the connection outlives it.
/// </summary>
internal sealed class ConnectionWriter : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    // Frames handed to the socket in one write when several are queued: fewer syscalls, same bytes.
    private const int WriteBatchBytes = 64 * 1024;
    private const string CloseTimer = "close";
    private const string WriteTimer = "write";
    private const string DialTimer = "dial";

    private readonly ConnectionTarget _target;
    private readonly KamuneSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SharedKillSwitch _killSwitch = KillSwitches.Shared("kamune-connection");
    private OutboundQueue.Handle? _queue;
    private IActorRef? _inboundStage;
    private IActorRef? _peer;
    private WriteFrame? _blocked;
    private IActorRef _blockedSender = ActorRefs.Nobody;
    private EndPoint? _remote;
    private bool _socketClosed;
    private bool _peerGone;
    private bool _aborted;
    private bool _closing;
    private IMaterializer? _materializer;

    public ConnectionWriter(ConnectionTarget target, KamuneSettings settings, IMaterializer? materializer)
    {
        _target = target;
        _settings = settings;
        _materializer = materializer;
        Connecting();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="materializer">
    /// The node's materializer (the manager's), shared by all connections: a materializer per connection costs a
    /// supervisor actor each. The streams still end with this writer: its kill switch and the session sink's watch
    /// see to that. Null: a materializer of this writer's own (tests that run a writer alone).
    /// </param>
    public static Props Props(ConnectionTarget target, KamuneSettings settings, IMaterializer? materializer = null) =>
        ActorFactory.Props(() => new ConnectionWriter(target, settings, materializer));

    protected override void PreStart()
    {
        // Never ActorSystem.Materializer(): that builds a new materializer per call and blocks a thread-pool thread
        // until the new supervisor starts, which starved the pool (and timed dials out) under a burst of connections.
        _materializer ??= Context.Materializer();
        if (_target is not ConnectionTarget.Outgoing outgoing)
        {
            Materialize(Socket(null));
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
            Materialize(Socket(outgoing.RemoteAddress));
        }
    }

    private void Materialize(Flow<ByteString, ByteString, Task<ConnectionOpened>> socket)
    {
        var outbound = Source.FromGraph(new OutboundQueue(_settings.OutboundBuffer))
            .Via(KamuneFraming.Encoder())
            .BatchWeighted(WriteBatchBytes, frame => frame.Count, frame => frame, (batch, frame) => batch.Concat(frame))
            .Via(_killSwitch.Flow<ByteString>());

        // One graph per connection: socket, framing both ways and the session sink run in one stream actor. The sink
        // waits for the session (AttachPeer) before it reads, and reports to this writer once it runs. The socket's
        // read side ends only once the TCP connection is closed (or failed, or aborted): that is when this writer is done.
        var ((queue, opened), socketClosed) = outbound
            .ViaMaterialized(socket, Keep.Both)
            .Via(_killSwitch.Flow<ByteString>())
            .WatchTermination(Keep.Both)
            .Via(KamuneFraming.Decoder(_settings.MaxFrameLength))
            .To(Sink.FromGraph(new SessionSink(Self, _settings.InboundBuffer)))
            .Run(_materializer);

        _queue = queue;
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

    // The TCP flow for this connection; its materialized task yields (local, remote) once connected.
    private Flow<ByteString, ByteString, Task<ConnectionOpened>> Socket(EndPoint? dialAddress) => _target switch
    {
        ConnectionTarget.Accepted accepted => accepted.Flow.MapMaterializedValue(_ =>
            Task.FromResult(new ConnectionOpened(accepted.LocalAddress, accepted.RemoteAddress))),
        ConnectionTarget.Outgoing outgoing => Context.System.TcpStream()
            .OutgoingConnection(dialAddress ?? outgoing.RemoteAddress, halfClose: false, connectionTimeout: outgoing.ConnectTimeout)
            .MapMaterializedValue(connecting => Connected(connecting))
            .Via(KamuneFraming.FirstFrameLengthOrAny(outgoing.FirstFrameLength, _settings.MaxFrameLength)),
        _ => throw new ArgumentException($"unknown connection target {_target.GetType().Name}"),
    };

    // An await, not ContinueWith(OnlyOnRanToCompletion): a failed connect must surface its own exception, not "A task was canceled".
    private static async Task<ConnectionOpened> Connected(Task<Akka.Streams.Dsl.Tcp.OutgoingConnection> connecting)
    {
        var connection = await connecting.ConfigureAwait(false);
        return new ConnectionOpened(connection.LocalAddress, connection.RemoteAddress);
    }

    private void Connecting()
    {
        Receive<InboundReady>(_ => OnInboundReady());
        Receive<Resolved>(resolved => Materialize(Socket(resolved.Address)));
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
            _inboundStage?.Tell(new AttachSession(_peer));
            Stash.UnstashAll();
            Become(Open);
        });
        Receive<SocketClosed>(_ => _socketClosed = true);
        ReceiveAny(_ => Stash.Stash());
    }

    // The session sink runs (it may start before or after the session exists): hand it the session once both do.
    private void OnInboundReady()
    {
        _inboundStage = Sender;
        if (_peer is not null)
        {
            _inboundStage.Tell(new AttachSession(_peer));
        }
    }

    private void Open()
    {
        Receive<InboundReady>(_ => OnInboundReady());
        Receive<WriteFrame>(write =>
        {
            if (_closing)
            {
                // The session asked to close and then wrote more: the frame cannot go out any more.
                _log.Warning("Frame written to {RemoteAddress} after close was requested; dropped", _remote);
                return;
            }

            if (_socketClosed)
            {
                // The socket is closed (by the peer, a failure or an abort); the session learns it from the inbound side.
                _log.Debug("Frame to {RemoteAddress} not queued: the connection has closed", _remote);
                return;
            }

            if (_queue!.TryOffer(write.Payload, Self))
            {
                Sender.Tell(FrameWritten.Instance);
                return;
            }

            // Full: this frame waits for room (OutboundQueueRoom), later messages wait behind it, in order.
            _blocked = write;
            _blockedSender = Sender;
            Timers.StartSingleTimer(WriteTimer, WriteTimedOut.Instance, _settings.WriteTimeout);
            Become(Blocked);
        });
        // A late notice of room, after an offer that found room on its second look: nothing waits for it.
        Receive<OutboundQueueRoom>(_ => { });
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
            StopWhenDone();
        });
        Receive<WriteTimedOut>(_ => Abort($"graceful close did not finish within {_settings.WriteTimeout}"));
    }

    // A frame waits for the socket to drain the queue; everything after it waits too, so frames keep their order.
    private void Blocked()
    {
        Receive<OutboundQueueRoom>(_ =>
        {
            if (_queue!.TryOffer(_blocked!.Payload, Self))
            {
                _blockedSender.Tell(FrameWritten.Instance);
                Unblock();
            }
        });
        Receive<SocketClosed>(_ =>
        {
            _socketClosed = true;
            _log.Debug("Frame to {RemoteAddress} not queued: the connection has closed", _remote);
            Unblock();
        });
        Receive<InboundReady>(_ => OnInboundReady());
        Receive<WriteTimedOut>(_ => Abort($"a frame waited longer than {_settings.WriteTimeout} for the socket"));
        // An abort cannot wait behind a frame a dead socket may never take: act on it now.
        Receive<CloseConnection>(close => close.Abort, _ => Abort("session aborted the connection"));
        Receive<Terminated>(t => t.ActorRef.Equals(_peer) && _aborted, _ =>
        {
            _peerGone = true;
            Context.Stop(Self);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Unblock()
    {
        Timers.Cancel(WriteTimer);
        _blocked = null;
        _blockedSender = ActorRefs.Nobody;
        Stash.UnstashAll();
        Become(Open);
    }

    private void CloseGracefully()
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        _queue!.Complete();
        if (!_socketClosed)
        {
            Timers.StartSingleTimer(CloseTimer, WriteTimedOut.Instance, _settings.WriteTimeout);
        }
    }

    private void Abort(string reason)
    {
        _log.Info("Aborting TCP connection {RemoteAddress}: {Reason}", _remote, reason);
        _closing = true;
        _aborted = true;
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

    private sealed class SocketClosed
    {
        public static readonly SocketClosed Instance = new();

        private SocketClosed()
        {
        }
    }

    private sealed class WriteTimedOut
    {
        public static readonly WriteTimedOut Instance = new();

        private WriteTimedOut()
        {
        }
    }

    private sealed class DialTimedOut
    {
        public static readonly DialTimedOut Instance = new();

        private DialTimedOut()
        {
        }
    }

    private sealed record Resolved(IPEndPoint Address);
}

/// <summary>The connection was cut on purpose (session abort, write timeout, writer stopped): not a socket error.</summary>
public sealed class ConnectionAbortedException(string message) : Exception(message);

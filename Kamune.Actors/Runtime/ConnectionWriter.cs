using System.Net;
using System.Numerics;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Kamune.Actors.Configuration;
using Reactive.Streams;

namespace Kamune.Actors.Runtime;

/// <summary>The TCP connection a <see cref="ConnectionWriter"/> runs: one the listener accepted, or one to dial.</summary>
internal abstract record ConnectionTarget
{
    public sealed record Accepted(Flow<ByteString, ByteString, NotUsed> Flow, EndPoint LocalAddress, EndPoint RemoteAddress)
        : ConnectionTarget;

    public sealed record Outgoing(EndPoint RemoteAddress, TimeSpan ConnectTimeout) : ConnectionTarget;
}

/// <summary>Writer to parent: the socket is connected; create the session and send <see cref="AttachPeer"/>.</summary>
internal sealed record ConnectionOpened(EndPoint LocalAddress, EndPoint RemoteAddress);

/// <summary>Writer to parent: the socket never connected (refused, unreachable, dial timeout). The writer stops.</summary>
internal sealed record ConnectionNotOpened(string Reason);

/// <summary>Parent to writer: the session actor that reads the inbound frames and writes through this writer.</summary>
internal sealed record AttachPeer(IActorRef Peer);

/// <summary>
/// Owns one TCP connection. It materializes the byte stream (protocol.md layer 2 framing both ways), feeds
/// inbound frames to the session actor with acknowledgement back-pressure (<see cref="SessionSink"/>) and accepts <see cref="WriteFrame"/> into a bounded queue, answering
/// <see cref="FrameWritten"/> only once the queue took the frame, so a slow socket slows the session.
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
    private ISourceQueueWithComplete<ByteString>? _queue;
    private IPublisher<ByteString>? _inbound;
    private IActorRef? _peer;
    private EndPoint? _remote;
    private bool _outboundDone;
    private bool _peerGone;
    private bool _aborted;
    private bool _closing;
    private IMaterializer _materializer = null!;

    public ConnectionWriter(ConnectionTarget target, KamuneSettings settings)
    {
        _target = target;
        _settings = settings;
        Connecting();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ConnectionTarget target, KamuneSettings settings) =>
        Akka.Actor.Props.Create(() => new ConnectionWriter(target, settings));

    protected override void PreStart()
    {
        // One materializer per connection, made once and owned by this actor: its streams stop with it. Not
        // ActorSystem.Materializer(): that builds a new materializer per call and blocks a thread-pool thread until
        // the new supervisor starts, which starved the pool (and timed dials out) under a burst of connections.
        _materializer = Context.Materializer();
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
        var outbound = Source.Queue<ByteString>(_settings.OutboundBuffer, OverflowStrategy.Backpressure)
            .Via(KamuneFraming.Encoder())
            .BatchWeighted(WriteBatchBytes, frame => frame.Count, frame => frame, (batch, frame) => batch.Concat(frame))
            .Via(_killSwitch.Flow<ByteString>())
            .WatchTermination(Keep.Both);

        var (((queue, outboundDone), opened), inbound) = outbound
            .ViaMaterialized(socket, Keep.Both)
            .Via(_killSwitch.Flow<ByteString>())
            .Via(KamuneFraming.Decoder(_settings.MaxFrameLength))
            .ToMaterialized(Sink.AsPublisher<ByteString>(false), Keep.Both)
            .Run(_materializer);

        _queue = queue;
        _inbound = inbound;
        outboundDone.PipeTo(Self, success: _ => OutboundDone.Instance, failure: _ => OutboundDone.Instance);
        // Akka.IO gives up on a refused or unreachable address at once (after finish-connect-retries) and says only
        // "Connection failed"; a connect that is still pending ends with our DialTimer instead.
        opened.PipeTo(Self, success: ends => ends, failure: ex => new ConnectionNotOpened(
            _target is ConnectionTarget.Outgoing ? $"connection refused or unreachable ({ex.GetBaseException().Message})" : ex.Message));
    }

    protected override void PostStop()
    {
        // Whatever state we stop in, the socket goes with us; after a graceful close this finds nothing left to abort.
        if (!_outboundDone)
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
            .MapMaterializedValue(connecting => Connected(connecting)),
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
        Receive<OutboundDone>(_ => _outboundDone = true);
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
        Receive<AttachPeer>(attach =>
        {
            _peer = attach.Peer;
            Context.Watch(_peer);
            var buffer = (int)BitOperations.RoundUpToPowerOf2((uint)_settings.InboundBuffer);
            Source.FromPublisher(_inbound!)
                .WithAttributes(Attributes.CreateInputBuffer(1, buffer))
                .RunWith(Sink.FromGraph(new SessionSink(_peer)), _materializer);
            Stash.UnstashAll();
            Become(Open);
        });
        Receive<OutboundDone>(_ => _outboundDone = true);
        ReceiveAny(_ => Stash.Stash());
    }

    private void Open()
    {
        Receive<WriteFrame>(write =>
        {
            if (_closing)
            {
                // The session asked to close and then wrote more: the frame cannot go out any more.
                _log.Warning("Frame written to {RemoteAddress} after close was requested; dropped", _remote);
                return;
            }

            var replyTo = Sender;
            _queue!.OfferAsync(write.Payload).PipeTo(Self, success: result => new Offered(result, replyTo),
                failure: ex => new Offered(new QueueOfferResult.Failure(ex), replyTo));
            Timers.StartSingleTimer(WriteTimer, WriteTimedOut.Instance, _settings.WriteTimeout);
            Become(Offering);
        });
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
        Receive<OutboundDone>(_ =>
        {
            _outboundDone = true;
            Timers.Cancel(CloseTimer);
            StopWhenDone();
        });
        Receive<WriteTimedOut>(_ => Abort($"graceful close did not finish within {_settings.WriteTimeout}"));
    }

    // One offer at a time: Source.Queue with back-pressure takes no second offer before the first completes.
    private void Offering()
    {
        Receive<Offered>(offered =>
        {
            Timers.Cancel(WriteTimer);
            if (offered.Result is QueueOfferResult.Enqueued)
            {
                offered.ReplyTo.Tell(FrameWritten.Instance);
            }
            else
            {
                // The stream is gone (socket failed or was aborted); the session learns it from the inbound side.
                _log.Debug("Frame to {RemoteAddress} not queued: {Result}", _remote, offered.Result);
            }

            Stash.UnstashAll();
            Become(Open);
        });
        Receive<WriteTimedOut>(_ => Abort($"a frame waited longer than {_settings.WriteTimeout} for the socket"));
        // An abort cannot wait behind an offer the dead socket may never take: act on it now.
        Receive<CloseConnection>(close => close.Abort, _ => Abort("session aborted the connection"));
        Receive<Terminated>(t => t.ActorRef.Equals(_peer) && _aborted, _ =>
        {
            _peerGone = true;
            Context.Stop(Self);
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void CloseGracefully()
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        _queue!.Complete();
        if (!_outboundDone)
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
        if (_peerGone && _outboundDone)
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

    private sealed class OutboundDone
    {
        public static readonly OutboundDone Instance = new();

        private OutboundDone()
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

    private sealed record Offered(IQueueOfferResult Result, IActorRef ReplyTo);
}

/// <summary>The connection was cut on purpose (session abort, write timeout, writer stopped): not a socket error.</summary>
public sealed class ConnectionAbortedException(string message) : Exception(message);

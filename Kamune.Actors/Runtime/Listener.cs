using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Akka.Streams.Dsl;
using Akka.Streams.Implementation.IO;
using Tcp = Akka.IO.Tcp;

namespace Kamune.Actors.Runtime;

/// <summary>
/// One bound TCP listener. Binds through Akka.IO with itself as the bind handler, enforces the per-address accept
/// rate (<see cref="AcceptRateLimit"/>) and connection limit, and hands each admitted connection (an Akka.Streams flow
/// over Akka.IO's connection actor, its first length prefix checked) to the manager, which runs it as a responder
/// session for the listener's handler. It watches that handler: once the handler is gone nobody can use what it
/// accepts, so it stops accepting at once and unbinds and stops once the sessions it accepted have closed (Draining),
/// as Akka.IO's own listener stops when its bind handler dies.
/// </summary>
/// <remarks>
/// Not <c>Tcp().Bind(...)</c> from Akka.Streams: that source makes its stage actor (an Akka <c>FunctionRef</c>) the bind
/// handler, every accepted connection watches the bind handler until it registers its own, and in Akka 1.5.74
/// <c>FunctionRef</c> never takes a watcher out of its set on Unwatch. So each connection the stream source ever accepted
/// stayed reachable, with its whole stream graph, until the listener unbound: about 64 KiB per connection
/// (docs/reliability.md, finding 3). An actor as bind handler removes watchers as it should. Each connection is still
/// an Akka.Streams flow, built from the same stage the stream source builds it from.
/// </remarks>
internal sealed class Listener : ReceiveActor, IWithTimers
{
    private readonly BindListener _request;
    private readonly KamuneSettings _settings;
    private readonly int? _firstFrameLength;
    private readonly AcceptRateLimit _rateLimit;
    // Refusals by the rate limit: a warning per address at most once a minute, the rest at debug level.
    private readonly RefusalWarnings _rateWarnings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IPAddress, int> _openPerAddress = new();
    private readonly Dictionary<IActorRef, IPAddress> _connections = new();
    // Akka.IO connections refused at the handshake cap and held unanswered until Akka.IO closes them (Park).
    private readonly Dictionary<IActorRef, IPAddress> _parked = new();
    // Connections handed to the manager (AcceptConnection) and not yet answered ConnectionStarted or ConnectionRefused.
    private int _starting;
    private IActorRef? _tcpListener;
    private EndPoint? _localAddress;

    public Listener(BindListener request, KamuneSettings settings, int? firstFrameLength, IMonotonicClock clock)
    {
        _request = request;
        _settings = settings;
        _firstFrameLength = firstFrameLength;
        _rateLimit = new AcceptRateLimit(settings.AcceptRatePerAddress, settings.AcceptBurstPerAddress, clock);
        _rateWarnings = new RefusalWarnings(clock, TimeSpan.FromMinutes(1));
        Binding();
    }

    /// <param name="request">The address to bind and the handler its sessions report to.</param>
    /// <param name="settings">The node's settings: backlog, frame limit, per-address connection and accept-rate limits.</param>
    /// <param name="firstFrameLength">The only length an accepted connection's first frame may declare; null: any.</param>
    /// <param name="clock">Time for the per-address accept rate limit.</param>
    public static Props Props(BindListener request, KamuneSettings settings, int? firstFrameLength, IMonotonicClock clock) =>
        ActorFactory.Props(() => new Listener(request, settings, firstFrameLength, clock));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Context.Watch(_request.Handler);
        if (IPAddress.TryParse(_request.Host, out var address))
        {
            Bind(new IPEndPoint(address, _request.Port));
            return;
        }

        // A host name is looked up without blocking a thread (Akka.Streams' Bind waits on the lookup).
        System.Net.Dns.GetHostAddressesAsync(_request.Host).PipeTo(Self,
            success: addresses => addresses.Length > 0
                ? new Resolved(new IPEndPoint(addresses[0], _request.Port))
                : new BindFailed($"host not found: {_request.Host} has no address"),
            failure: ex => new BindFailed($"host not found: {_request.Host} ({ex.GetBaseException().Message})"));
    }

    protected override void PostStop()
    {
        // Stopping the listener (Unbind, failure, node shutdown) frees the port. Akka.IO ends the sockets it accepted
        // with it; their writers then see the stream end and their sessions report the lost connection. Unbinding
        // first (rather than letting Akka.IO notice this actor died) closes the port without a warning in the log.
        _tcpListener?.Tell(Tcp.Unbind.Instance, ActorRefs.NoSender);
    }

    // pullMode: the connection reads only when its stream asks (Tcp.ResumeReading), so a slow session slows the socket.
    private void Bind(IPEndPoint endpoint)
    {
        IActorRef tcp;
        try
        {
            tcp = Context.System.Tcp();
        }
        catch (Exception e) when (e is ArgumentException or Akka.Configuration.ConfigurationException)
        {
            // Akka.IO reads its akka.io.tcp settings on first use: a bad value fails here, and the caller should hear
            // why rather than wait for a timeout.
            BindFailedWith($"Akka.IO TCP could not start ({e.GetBaseException().Message})");
            return;
        }

        tcp.Tell(new Tcp.Bind(Self, endpoint, _settings.ListenBacklog, pullMode: true));
    }

    private void Binding()
    {
        Receive<Resolved>(resolved => Bind(resolved.Address));
        Receive<Tcp.Bound>(bound =>
        {
            _tcpListener = Sender;
            _localAddress = bound.LocalAddress;
            Context.Watch(_tcpListener);
            // Akka 1.5.74 accepts continuously and ignores this; earlier Akka.IO listeners in pull mode wait for it.
            _tcpListener.Tell(new Tcp.ResumeAccepting(1));
            _log.Info("Kamune listening on {LocalAddress}", bound.LocalAddress);
            // The manager answers the requester: it also answers when this listener dies before getting here.
            Context.Parent.Tell(new ListenerSocketBound(bound.LocalAddress));
            Become(Accepting);
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_request.Handler), _ =>
        {
            _log.Info("Kamune listener for {Host}:{Port} stops before binding: its handler stopped", _request.Host, _request.Port);
            Context.Stop(Self);
        });
        Receive<Tcp.CommandFailed>(failed => BindFailedWith(
            failed.Cause.HasValue ? failed.Cause.Value.GetBaseException().Message : "the address could not be bound"));
        Receive<BindFailed>(failed => BindFailedWith(failed.Reason));
    }

    private void BindFailedWith(string reason)
    {
        _log.Warning("Kamune could not listen on {Host}:{Port}: {Reason}", _request.Host, _request.Port, reason);
        Context.Parent.Tell(new BindListenerFailed(_request.Host, _request.Port, reason));
        Context.Stop(Self);
    }

    private void Accepting()
    {
        Receive<Tcp.Connected>(Admit);
        Receive<ConnectionRefused>(Park);
        // From held connections (Park): the reset they end with, or a peer's close seen on the way.
        Receive<Tcp.ConnectionClosed>(_ => { });
        Receive<ConnectionStarted>(OnStarted);
        Receive<Terminated>(terminated =>
        {
            if (terminated.ActorRef.Equals(_request.Handler))
            {
                _log.Info("Kamune listener on {LocalAddress} stops accepting: its handler stopped; it unbinds once its sessions have closed",
                    _localAddress);
                Timers.StartSingleTimer(DrainDeadline.Instance, DrainDeadline.Instance, _settings.WriteTimeout);
                Become(Draining);
                UnbindWhenDrained();
            }
            else
            {
                OnTerminated(terminated);
            }
        });
        Receive<UnbindListener>(_ => Unbind());
    }

    // The handler is gone: nothing new is accepted, but the port stays bound until every connection this listener
    // accepted has ended, because Akka.IO resets a listener's accepted sockets when it unbinds, and a session's
    // CLOSE_TRANSPORT still on its way would then reach the dialer as a reset (ConnectionLost, not PeerClosed).
    // The sessions close on their own (each watches the handler); their writers flush within kamune.write-timeout,
    // and the listener unbinds at that deadline whatever is left.
    private void Draining()
    {
        // At debug level: the info line above said it once, and a flooder must not set the log's pace meanwhile.
        Receive<Tcp.Connected>(connected =>
        {
            _log.Debug("Refusing connection from {RemoteAddress}: the listener's handler stopped", connected.RemoteAddress);
            Sender.Tell(Tcp.Close.Instance);
        });
        Receive<ConnectionRefused>(Park);
        Receive<Tcp.ConnectionClosed>(_ => { });
        Receive<ConnectionStarted>(started =>
        {
            OnStarted(started);
            UnbindWhenDrained();
        });
        Receive<Terminated>(terminated =>
        {
            OnTerminated(terminated);
            UnbindWhenDrained();
        });
        Receive<DrainDeadline>(_ =>
        {
            _log.Warning("Kamune listener on {LocalAddress}: {Count} connections still closing after {WriteTimeout}; unbinding",
                _localAddress, _connections.Count + _starting, _settings.WriteTimeout);
            Unbind();
        });
        Receive<UnbindListener>(_ => Unbind());
    }

    private void UnbindWhenDrained()
    {
        if (_connections.Count == 0 && _starting == 0 && _tcpListener is not null)
        {
            Unbind();
        }
    }

    // Whoever asked (the manager's UnbindListener, the handler's death, the drain deadline), the manager hears it:
    // it answers every UnbindListener, also those that arrive while this listener is unbinding.
    private void Unbind()
    {
        _tcpListener!.Tell(Tcp.Unbind.Instance);
        Become(() => Unbinding(_localAddress!));
    }

    private void OnStarted(ConnectionStarted started)
    {
        _starting--;
        Context.Watch(started.Connection);
        _connections[started.Connection] = AddressOf(started.RemoteAddress);
    }

    private void OnTerminated(Terminated terminated)
    {
        if (terminated.ActorRef.Equals(_tcpListener))
        {
            _log.Warning("Kamune listener on {LocalAddress} stopped by Akka.IO", _localAddress);
            _tcpListener = null;
            Context.Stop(Self);
        }
        else if (_connections.Remove(terminated.ActorRef, out var address) || _parked.Remove(terminated.ActorRef, out address))
        {
            Release(address);
        }
    }

    // Whichever comes first, Akka.IO's Unbound or its listener stopping, the manager hears ListenerUnbound once.
    private void Unbinding(EndPoint localAddress)
    {
        Receive<Tcp.Connected>(connected => Reject(connected, "the listener is unbinding"));
        // Already under way; the manager answers every request once this one has unbound.
        Receive<UnbindListener>(_ => { });
        ReceiveAny(message =>
        {
            if (message is Tcp.Unbound || (message is Terminated terminated && terminated.ActorRef.Equals(_tcpListener)))
            {
                _log.Info("Kamune stopped listening on {LocalAddress}", localAddress);
                _tcpListener = null;
                Context.Parent.Tell(new ListenerUnbound(localAddress));
                Context.Stop(Self);
            }
        });
    }

    // The sender of Connected is Akka.IO's connection actor; the flow registers with it when materialized. Detach reads
    // one element ahead, as Akka.Streams' own incoming connection does, so a peer's close is seen without demand.
    private ConnectionTarget.Accepted Incoming(Tcp.Connected connected) => new(
        Flow.FromGraph(new IncomingConnectionStage(Sender, connected.RemoteAddress, halfClose: false)).Detach()
            .Via(KamuneFraming.FirstFrameLengthOrAny(_firstFrameLength, _settings.MaxFrameLength)),
        connected.LocalAddress,
        connected.RemoteAddress);

    // Judged on the Connected message alone: a refused connection costs no flow, only an Abort to Akka.IO.
    private void Admit(Tcp.Connected connected)
    {
        var address = AddressOf(connected.RemoteAddress);
        if (!_rateLimit.TryAccept(address))
        {
            RejectForRate(connected, address);
            return;
        }

        var open = _openPerAddress.GetValueOrDefault(address);
        var limit = _settings.MaxConnectionsPerAddress;
        if (limit > 0 && open >= limit)
        {
            Reject(connected, $"expected at most {limit} connections from its address, got {open} open");
            Context.Parent.Tell(new ConnectionRefused(AcceptRefusal.AddressLimit, connected.RemoteAddress));
            return;
        }

        // Counted from accept, not from ConnectionStarted, so a burst cannot slip past the limit.
        _openPerAddress[address] = open + 1;
        _starting++;
        Context.Parent.Tell(new AcceptConnection(Incoming(connected), _request.Handler, Sender));
    }

    // A flood from one address meets the rate limit thousands of times a second: a warning when its bucket first runs
    // dry and then at most one a minute (RefusalWarnings), the rest at debug level, so the log cannot be made to grow
    // at the flooder's pace.
    private void RejectForRate(Tcp.Connected connected, IPAddress address)
    {
        if (_rateWarnings.Refused(address) is { } refused)
        {
            _log.Warning(
                "Refusing connections from {RemoteAddress}: expected at most {Rate} per second (bursts of {Burst}) from one address; "
                + "{Refused} refused since the last warning, the next warning at most {Interval} later, the rest at debug level",
                address, _settings.AcceptRatePerAddress, _settings.AcceptBurstPerAddress, refused, _rateWarnings.Interval);
        }
        else
        {
            _log.Debug("Refusing connection from {RemoteAddress}: accept rate limit", connected.RemoteAddress);
        }

        Sender.Tell(Tcp.Close.Instance);
        Context.Parent.Tell(new ConnectionRefused(AcceptRefusal.RateLimit, connected.RemoteAddress));
    }

    // The manager refused a connection at the handshake cap (its address holds the most slots). Closing it at once
    // would send a flooder that reopens every connection it loses straight back, and enough of those keep the
    // kernel's accept queue full, so that an honest dialer's SYN is dropped and retried a second later, or queued
    // behind the whole flood. Held instead, it costs the node a socket for 5 to 10 s and still counts against the
    // address's max-connections-per-address until then: registered with this listener in pull mode, Akka.IO never
    // reads it, and no flow or session exists for it. The hold is spread by the remote port, so a flood's reopens do
    // not come back in one wave; then it is reset.
    private void Park(ConnectionRefused refused)
    {
        // The manager's answer to an AcceptConnection, as ConnectionStarted is.
        _starting--;
        if (refused.TcpConnection is { } connection)
        {
            Context.Watch(connection);
            _parked[connection] = AddressOf(refused.RemoteAddress);
            connection.Tell(new Tcp.Register(Self, keepOpenOnPeerClosed: false, useResumeWriting: false));
            var port = refused.RemoteAddress is IPEndPoint ip ? ip.Port : 0;
            Context.System.Scheduler.ScheduleTellOnce(
                TimeSpan.FromMilliseconds(5_000 + port % 5_000), connection, Tcp.Abort.Instance, Self);
        }
        else
        {
            Release(AddressOf(refused.RemoteAddress));
        }
    }

    // Akka.IO's connection actor takes Close before any handler registered: it closes the socket (FIN) and stops.
    // Not Abort: a reset can reach a dialer before its connect has been reported, and its connect then fails
    // instead of its session ending ConnectionLost with the explanation (RefusedDialTests).
    private void Reject(Tcp.Connected connected, string reason)
    {
        _log.Warning("Refusing connection from {RemoteAddress}: {Reason}", connected.RemoteAddress, reason);
        Sender.Tell(Tcp.Close.Instance);
    }

    private void Release(IPAddress address)
    {
        var open = _openPerAddress.GetValueOrDefault(address) - 1;
        if (open > 0)
        {
            _openPerAddress[address] = open;
        }
        else
        {
            _openPerAddress.Remove(address);
        }
    }

    internal static IPAddress AddressOf(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address,
        _ => IPAddress.None,
    };

    private sealed record Resolved(IPEndPoint Address) : IRuntimeMessage;

    private sealed record BindFailed(string Reason) : IRuntimeMessage;

    private sealed class DrainDeadline : IRuntimeMessage
    {
        public static readonly DrainDeadline Instance = new();
    }
}

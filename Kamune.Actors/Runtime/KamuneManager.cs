using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Kamune.Actors.Configuration;

namespace Kamune.Actors.Runtime;

/// <summary>What the manager hands the session factory for each new TCP connection.</summary>
/// <param name="Dialed">True when this node dialed (protocol initiator), false when a listener accepted (responder).</param>
/// <param name="Connection">The connection's writer: takes <see cref="WriteFrame"/> and <see cref="CloseConnection"/>.</param>
/// <param name="Handler">The application actor that receives the session's events.</param>
/// <param name="RemoteAddress">The peer's TCP address.</param>
public sealed record SessionConnection(bool Dialed, IActorRef Connection, IActorRef Handler, EndPoint RemoteAddress);

/// <summary>Builds the session actor (PeerActor in production, a test double in transport tests) for one connection.</summary>
public delegate Props SessionPropsFactory(SessionConnection connection);

/// <summary>
/// Parent of every listener, connection writer and session actor of a node. A child that fails is stopped
/// and only that child: one broken connection never restarts or stops another, nor the node.
/// </summary>
internal sealed class KamuneManager : ReceiveActor, IWithTimers
{
    private readonly KamuneSettings _settings;
    private readonly SessionPropsFactory _sessionProps;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, PendingConnection> _connections = new();
    private readonly Dictionary<EndPoint, IActorRef> _listeners = new();
    // Session actor -> its connection writer, so the session's PeerEstablished finds the connection it ends the handshake of.
    private readonly Dictionary<IActorRef, IActorRef> _sessions = new();
    private long _next;
    private IMaterializer _materializer = null!;
    private int _acceptedHandshaking;
    private long _refusedAtHandshakeCap;
    private List<IActorRef>? _shutdownWaiters;
    private bool _unbindingListeners;

    public KamuneManager(KamuneSettings settings, SessionPropsFactory sessionProps)
    {
        _settings = settings;
        _sessionProps = sessionProps;

        Receive<GracefulShutdown>(BeginShutdown);
        Receive<ShutdownDeadline>(_ =>
        {
            _log.Warning("Kamune: {Count} connections still open at the shutdown deadline; stopping them", _connections.Count);
            foreach (var writer in _connections.Keys)
            {
                Context.Stop(writer);
            }

            if (_unbindingListeners)
            {
                // Asked to unbind before the deadline and not gone yet: stopped now (their PostStop unbinds once more).
                foreach (var listener in _listeners.Values)
                {
                    Context.Stop(listener);
                }
            }

            StopListeners();
        });
        Receive<Listen>(listen =>
        {
            if (_shutdownWaiters is not null)
            {
                Sender.Tell(new ListenFailed(listen.Host, listen.Port, "the node is shutting down"));
                return;
            }

            Context.ActorOf(Listener.Props(listen, Sender, _settings), $"listener-{++_next}");
        });
        Receive<ListenerBound>(bound =>
        {
            _listeners[bound.LocalAddress] = Sender;
            Context.Watch(Sender);
            if (_unbindingListeners)
            {
                // Bound while the node was already unbinding its listeners: this one goes too.
                Sender.Tell(new Unbind(bound.LocalAddress));
            }
        });
        // The listeners' answers to the unbinds of a shutdown (StopListeners).
        Receive<Unbound>(_ => { });
        Receive<Unbind>(unbind =>
        {
            if (_listeners.TryGetValue(unbind.LocalAddress, out var listener))
            {
                listener.Forward(unbind);
            }
            else
            {
                // Nothing is bound there (any more): the outcome the caller wants already holds.
                Sender.Tell(new Unbound(unbind.LocalAddress));
            }
        });
        Receive<Dial>(StartDial);
        Receive<AcceptConnection>(OnAccept);
        Receive<PeerEstablished>(_ => OnEstablished(Sender));
        Receive<ConnectionOpened>(OnOpened);
        Receive<ConnectionNotOpened>(failed =>
        {
            if (_connections.TryGetValue(Sender, out var pending))
            {
                _connections[Sender] = pending with { FailureReason = failed.Reason };
            }
        });
        Receive<Terminated>(OnTerminated);
        Receive<GetManagerState>(_ => Sender.Tell(new ManagerState(
            _listeners.Count, _connections.Count, _sessions.Count, _connections.Values.Count(c => c.Handshaking), _refusedAtHandshakeCap)));
    }

    // Made once and shared by every connection writer (see ConnectionWriter.Props); ActorSystem.Materializer() would
    // build and wait for a new one per call (ConnectionWriter.PreStart).
    protected override void PreStart() => _materializer = Context.Materializer();

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(KamuneSettings settings, SessionPropsFactory sessionProps) =>
        ActorFactory.Props(() => new KamuneManager(settings, sessionProps));

    // A failing child is stopped, never restarted: a session cannot resume mid-protocol, and its writer
    // watches it and closes the socket (protocol.md: an error ends that connection only).
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(cause =>
        {
            _log.Warning("Stopping a failed connection actor: {ErrorType}", cause.GetType().Name);
            return Directive.Stop;
        });

    // Graceful stop (issue 3): every session sends CLOSE_TRANSPORT, every writer flushes and closes (bounded), and
    // only then do the listeners unbind: Akka.IO resets a listener's accepted sockets when it unbinds.
    private void BeginShutdown(GracefulShutdown shutdown)
    {
        if (_shutdownWaiters is not null)
        {
            _shutdownWaiters.Add(Sender);
            CompleteShutdownIfDone();
            return;
        }

        _shutdownWaiters = [Sender];
        _log.Info("Kamune shutting down: closing {Sessions} sessions", _sessions.Count);
        foreach (var session in _sessions.Keys)
        {
            session.Tell(CloseSession.Instance);
        }

        Timers.StartSingleTimer(ShutdownDeadline.Instance, ShutdownDeadline.Instance, shutdown.Timeout);
        CompleteShutdownIfDone();
    }

    private void CompleteShutdownIfDone()
    {
        if (_shutdownWaiters is null)
        {
            return;
        }

        if (_connections.Count == 0)
        {
            StopListeners();
        }

        if (_connections.Count == 0 && _listeners.Count == 0)
        {
            Timers.Cancel(ShutdownDeadline.Instance);
            foreach (var waiter in _shutdownWaiters)
            {
                waiter.Tell(ShutdownCompleted.Instance);
            }

            _shutdownWaiters.Clear();
        }
    }

    private void StopListeners()
    {
        if (_unbindingListeners)
        {
            return;
        }

        // Unbind and wait for it, not just stop the listener: Akka.IO answers Unbound once the socket is closed, so when
        // shutdown completes the port is free. A stopped listener only asks Akka.IO to unbind, and a dial or a new
        // listener right after ShutdownAsync could still meet the old socket. The listener stops after Unbound; its
        // Terminated removes it from _listeners.
        _unbindingListeners = true;
        foreach (var (address, listener) in _listeners)
        {
            listener.Tell(new Unbind(address));
        }
    }

    private void StartDial(Dial dial)
    {
        if (_shutdownWaiters is not null)
        {
            Sender.Tell(new DialFailed(dial.Host, dial.Port, "the node is shutting down"));
            return;
        }

        if (string.IsNullOrWhiteSpace(dial.Host) || dial.Port is < 1 or > ushort.MaxValue)
        {
            Sender.Tell(new DialFailed(dial.Host, dial.Port,
                $"expected a host name and a port in 1..65535, got \"{dial.Host}\" and {dial.Port}"));
            return;
        }

        EndPoint remote = IPAddress.TryParse(dial.Host, out var ip)
            ? new IPEndPoint(ip, dial.Port)
            : new DnsEndPoint(dial.Host, dial.Port);
        StartConnection(new ConnectionTarget.Outgoing(remote, _settings.DialTimeout),
            new PendingConnection(true, dial.Handler, Sender, dial));
    }

    // kamune.max-concurrent-handshakes: accepted connections whose session is not yet established, across every
    // listener of the node. One more is closed at accept (not queued): a flood of half-open connections costs a
    // socket each only until the refusal, and dialed connections, which this node chose to make, never count.
    private void OnAccept(AcceptConnection accept)
    {
        var cap = _settings.MaxConcurrentHandshakes;
        if (cap > 0 && _acceptedHandshaking >= cap)
        {
            _refusedAtHandshakeCap++;
            _log.Warning(
                "Refusing connection from {RemoteAddress}: expected at most {Cap} concurrent handshakes, got {Open} under way ({Refused} refused so far)",
                accept.Target.RemoteAddress, cap, _acceptedHandshaking, _refusedAtHandshakeCap);
            Listener.CloseAtOnce(accept.Target.Flow, _materializer);
            Sender.Tell(new ConnectionRefused(accept.Target.RemoteAddress));
            return;
        }

        _acceptedHandshaking++;
        var writer = StartConnection(accept.Target, new PendingConnection(false, accept.Handler, null, null));
        Sender.Tell(new ConnectionStarted(writer, accept.Target.RemoteAddress));
    }

    private void OnEstablished(IActorRef session)
    {
        if (_sessions.TryGetValue(session, out var writer) && _connections.TryGetValue(writer, out var pending) && pending.Handshaking)
        {
            _connections[writer] = pending with { Handshaking = false };
            if (!pending.Dialed)
            {
                _acceptedHandshaking--;
            }
        }
    }

    private IActorRef StartConnection(ConnectionTarget target, PendingConnection pending)
    {
        var writer = Context.ActorOf(ConnectionWriter.Props(target, _settings, _materializer), $"connection-{++_next}");
        Context.Watch(writer);
        _connections[writer] = pending;
        return writer;
    }

    private void OnOpened(ConnectionOpened opened)
    {
        var writer = Sender;
        if (!_connections.TryGetValue(writer, out var pending))
        {
            return;
        }

        var props = _sessionProps(new SessionConnection(pending.Dialed, writer, pending.Handler, opened.RemoteAddress));
        var session = Context.ActorOf(props, $"session-{++_next}");
        Context.Watch(session);
        _sessions[session] = writer;
        writer.Tell(new AttachPeer(session));
        if (_shutdownWaiters is not null)
        {
            // Accepted while the listeners were still draining: it is closed like every other session.
            session.Tell(CloseSession.Instance);
        }
        if (pending is { Dialed: true, Requester: { } requester, Dial: { } dial })
        {
            requester.Tell(new Dialing(dial.Host, dial.Port, opened.LocalAddress, opened.RemoteAddress, session));
        }
    }

    private void OnTerminated(Terminated terminated)
    {
        var actor = terminated.ActorRef;
        if (_sessions.Remove(actor))
        {
            return;
        }

        try
        {
            ForgetConnectionOrListener(actor);
        }
        finally
        {
            CompleteShutdownIfDone();
        }
    }

    private void ForgetConnectionOrListener(IActorRef actor)
    {
        if (_connections.Remove(actor, out var pending))
        {
            if (pending is { Handshaking: true, Dialed: false })
            {
                _acceptedHandshaking--;
            }

            // DialFailed goes out only now, once the writer is gone: a caller that sees it finds nothing left running.
            if (pending is { FailureReason: { } reason, Requester: { } requester, Dial: { } dial })
            {
                requester.Tell(new DialFailed(dial.Host, dial.Port, reason));
            }

            return;
        }

        foreach (var (address, listener) in _listeners)
        {
            if (listener.Equals(actor))
            {
                _listeners.Remove(address);
                break;
            }
        }
    }

    private sealed record PendingConnection(bool Dialed, IActorRef Handler, IActorRef? Requester, Dial? Dial)
    {
        public string? FailureReason { get; init; }

        /// <summary>True from the TCP connection until its session reports <see cref="PeerEstablished"/>.</summary>
        public bool Handshaking { get; init; } = true;
    }
}

/// <summary>The shutdown deadline passed: whatever is still open is stopped.</summary>
internal sealed class ShutdownDeadline
{
    public static readonly ShutdownDeadline Instance = new();

    private ShutdownDeadline()
    {
    }
}

/// <summary>Listener to manager: run this accepted connection for <paramref name="Handler"/>.</summary>
internal sealed record AcceptConnection(ConnectionTarget.Accepted Target, IActorRef Handler);

/// <summary>Manager to listener: the writer that now owns the accepted connection (watch it to count open connections).</summary>
internal sealed record ConnectionStarted(IActorRef Connection, EndPoint RemoteAddress);

/// <summary>Manager to listener: the accepted connection was closed at once (handshake cap); its address slot is free again.</summary>
internal sealed record ConnectionRefused(EndPoint RemoteAddress);

/// <summary>
/// Session actor to its parent (the manager): the handshake finished and the session is established, so its
/// connection no longer counts against kamune.max-concurrent-handshakes.
/// </summary>
internal sealed class PeerEstablished
{
    public static readonly PeerEstablished Instance = new();

    private PeerEstablished()
    {
    }
}

/// <summary>Listener to manager: bound at <paramref name="LocalAddress"/>, so Unbind can find it.</summary>
internal sealed record ListenerBound(EndPoint LocalAddress);

/// <summary>Ask the manager what it runs; answered with <see cref="ManagerState"/>. For diagnostics and tests.</summary>
internal sealed class GetManagerState
{
    public static readonly GetManagerState Instance = new();

    private GetManagerState()
    {
    }
}

/// <summary>
/// Live listeners, connection writers (one per open socket) and session actors under the manager; how many of the
/// connections have not finished their handshake; and how many accepted connections the handshake cap refused.
/// </summary>
internal sealed record ManagerState(int Listeners, int Connections, int Sessions, int Handshaking, long RefusedAtHandshakeCap);

using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Kamune.Protocol;

namespace Kamune.Actors.Runtime;

/// <summary>
/// Parent of every listener, connection writer and session actor of a node. A child that fails is stopped
/// and only that child: one broken connection never restarts or stops another, nor the node. Its own receive is
/// total: what can throw in it (the user's session factory) costs only the connection it was for, and every
/// BindListener, UnbindListener and DialPeer is answered, also when the child that would answer it dies first.
/// </summary>
internal sealed partial class KamuneManager : ReceiveActor, IWithTimers
{
    private readonly KamuneSettings _settings;
    private readonly SessionPropsFactory _sessionProps;
    private readonly ExchangeFirstFrames? _firstFrames;
    private readonly IMonotonicClock _clock;
    private readonly IFrameObserver? _frames;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, PendingConnection> _connections = new();
    private readonly Dictionary<EndPoint, IActorRef> _listeners = new();
    // Listeners not bound yet -> who asked: answered ListenerBound or BindListenerFailed once, whatever ends the listener.
    private readonly Dictionary<IActorRef, (BindListener Request, IActorRef Requester)> _pendingListens = new();
    // Session actor -> its connection writer, so the session's PeerEstablished finds the connection it ends the handshake of.
    private readonly Dictionary<IActorRef, IActorRef> _sessions = new();
    // Bound listener -> who asked it to unbind (UnbindListener): each answered ListenerUnbound once it has unbound or died.
    private readonly Dictionary<IActorRef, (EndPoint Address, List<IActorRef> Requesters)> _unbindRequests = new();
    private readonly HandshakeSlots<IActorRef> _slots;
    private long _next;
    private IMaterializer _materializer = null!;
    private long _evicted;
    private long _refusedAtHandshakeCap;
    private long _refusedAtRateLimit;
    private long _refusedAtAddressLimit;
    private List<IActorRef>? _shutdownWaiters;
    private bool _unbindingListeners;

    public KamuneManager(KamuneSettings settings, SessionPropsFactory sessionProps, ExchangeFirstFrames? firstFrames, IMonotonicClock clock, IFrameObserver? frames)
    {
        _frames = frames;
        _settings = settings;
        _sessionProps = sessionProps;
        _firstFrames = firstFrames;
        _clock = clock;
        _slots = new HandshakeSlots<IActorRef>(settings.MaxConcurrentHandshakes);

        Receive<ShutdownNode>(BeginShutdown);
        Receive<ShutdownDeadline>(_ => OnShutdownDeadline());
        Receive<BindListener>(StartListener);
        Receive<ListenerSocketBound>(OnListenerSocketBound);
        Receive<BindListenerFailed>(failed =>
        {
            if (_pendingListens.Remove(Sender, out var pending))
            {
                pending.Requester.Tell(failed);
            }
        });
        Receive<ListenerUnbound>(OnListenerUnbound);
        Receive<UnbindListener>(OnUnbindListener);
        Receive<DialPeer>(StartDial);
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
        Receive<ConnectionRefused>(refused =>
        {
            if (refused.Reason == AcceptRefusal.RateLimit)
            {
                _refusedAtRateLimit++;
            }
            else if (refused.Reason == AcceptRefusal.AddressLimit)
            {
                _refusedAtAddressLimit++;
            }
        });
        Receive<GetManagerState>(_ => Sender.Tell(new ManagerState(
            _listeners.Count, _connections.Count, _sessions.Count, _connections.Values.Count(c => c.Handshaking), _evicted)
        {
            RefusedAtHandshakeCap = _refusedAtHandshakeCap,
            RefusedAtRateLimit = _refusedAtRateLimit,
            RefusedAtAddressLimit = _refusedAtAddressLimit,
        }));
    }

    // Made once and shared by every connection writer (see ConnectionWriter.Props); ActorSystem.Materializer() would
    // build and wait for a new one per call (ConnectionWriter.PreStart).
    protected override void PreStart() => _materializer = Context.Materializer();

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="settings">The node's settings (handshake cap, dial timeout), handed on to its listeners and connection writers.</param>
    /// <param name="sessionProps">Builds the session actor for each connection (PeerActor in a node, a stand-in in transport tests).</param>
    /// <param name="firstFrames">The exchange's first-frame lengths to check at the prefix; null (stand-in sessions): none.</param>
    /// <param name="clock">Time for the per-address accept rate limit; the process's monotonic clock when null.</param>
    /// <param name="frames">Sees every connection's frames (KamuneNodeOptions.FrameObserver); null: none.</param>
    public static Props Props(KamuneSettings settings, SessionPropsFactory sessionProps, ExchangeFirstFrames? firstFrames = null,
        IMonotonicClock? clock = null, IFrameObserver? frames = null) =>
        ActorFactory.Props(() => new KamuneManager(settings, sessionProps, firstFrames, clock ?? SystemMonotonicClock.Instance, frames));

    // A failing child is stopped, never restarted: a session cannot resume mid-protocol, and its writer
    // watches it and closes the socket (protocol.md: an error ends that connection only).
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(cause =>
        {
            _log.Warning("Stopping a failed connection actor: {ErrorType}", cause.GetType().Name);
            return Directive.Stop;
        });

    private void StartDial(DialPeer dial)
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
        StartConnection(new ConnectionTarget.Outgoing(remote, _settings.DialTimeout, _firstFrames?.FromResponder),
            new PendingConnection(true, dial.Handler, Sender, dial));
    }

    // kamune.max-concurrent-handshakes: accepted connections whose session is not yet established, across every
    // listener of the node, shared out fairly between remote addresses (HandshakeSlots). When all slots are taken a
    // newcomer from the address holding the most is refused at once, and one from an address holding fewer takes the
    // place of the oldest handshake of the heaviest: a flood costs only its own addresses' connections. Dialed
    // connections, which this node chose to make, never count.
    private void OnAccept(AcceptConnection accept)
    {
        IActorRef? writer = null;
        var verdict = _slots.Admit(Listener.AddressOf(accept.Target.RemoteAddress), () =>
        {
            writer = StartConnection(accept.Target, new PendingConnection(false, accept.Handler, null, null));
            return writer;
        });
        switch (verdict)
        {
            case HandshakeSlots<IActorRef>.Admission.Refused refused:
                RefuseAtCap(accept, refused);
                return;
            case HandshakeSlots<IActorRef>.Admission.Eviction eviction:
                Evict(eviction);
                break;
        }

        Sender.Tell(new ConnectionStarted(writer!, accept.Target.RemoteAddress));
    }

    private void RefuseAtCap(AcceptConnection accept, HandshakeSlots<IActorRef>.Admission.Refused refused)
    {
        _refusedAtHandshakeCap++;
        // Thousands a second under a flood: a warning each time the count doubles, the rest at debug level.
        if (long.IsPow2(_refusedAtHandshakeCap))
        {
            _log.Warning(
                "Refusing connection from {RemoteAddress}: expected at most {Cap} concurrent handshakes, all taken, and its address would hold the most ({Slots}) ({Refused} refused so far; more at debug level)",
                accept.Target.RemoteAddress, _settings.MaxConcurrentHandshakes, refused.AddressSlots, _refusedAtHandshakeCap);
        }
        else
        {
            _log.Debug("Refusing connection from {RemoteAddress} at the handshake cap", accept.Target.RemoteAddress);
        }

        // Nothing is built for it; the listener holds it unanswered until Akka.IO gives up on it (ConnectionRefused).
        Sender.Tell(new ConnectionRefused(AcceptRefusal.HandshakeCap, accept.Target.RemoteAddress, accept.TcpConnection));
    }

    private void Evict(HandshakeSlots<IActorRef>.Admission.Eviction eviction)
    {
        _evicted++;
        var detail = $"Handshake: evicted to admit a newer connection; expected at most {_settings.MaxConcurrentHandshakes} " +
                     $"concurrent handshakes, and {eviction.Address} held the most ({eviction.AddressSlots}), this one the longest.";
        // A flood is evicted thousands of times a second: a warning each time the count doubles, the rest at debug
        // level, so the log cannot be made to grow at the flooder's pace.
        if (long.IsPow2(_evicted))
        {
            _log.Warning("Evicting a handshaking connection from {RemoteAddress}: {Detail} ({Evicted} evicted so far; more at debug level)",
                eviction.Address, detail, _evicted);
        }
        else
        {
            _log.Debug("Evicting a handshaking connection from {RemoteAddress} ({Evicted} evicted so far)", eviction.Address, _evicted);
        }
        if (!_connections.TryGetValue(eviction.Connection, out var pending))
        {
            return;
        }

        _connections[eviction.Connection] = pending with { Handshaking = false, EvictedBecause = detail };
        // The session ends with its typed reason, tells its handler and aborts its connection. One whose
        // ConnectionOpened is still on the way is told as soon as OnOpened has made it, so every accepted
        // connection's handler hears exactly one SessionClosed.
        pending.Session?.Tell(new EvictHandshake(detail));
    }

    private void OnEstablished(IActorRef session)
    {
        if (_sessions.TryGetValue(session, out var writer) && _connections.TryGetValue(writer, out var pending) && pending.Handshaking)
        {
            _connections[writer] = pending with { Handshaking = false };
            _slots.Release(writer);
        }
    }

    private IActorRef StartConnection(ConnectionTarget target, PendingConnection pending)
    {
        var writer = Context.ActorOf(ConnectionWriter.Props(target, _settings, _materializer, _frames), $"connection-{++_next}");
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

        if (StartSession(writer, pending, opened) is not { } session)
        {
            return;
        }

        if (pending.EvictedBecause is { } evicted)
        {
            session.Tell(new EvictHandshake(evicted));
        }

        if (pending is { Dialed: true, Requester: { } requester, Dial: { } dial })
        {
            _connections[writer] = _connections[writer] with { Answered = true };
            requester.Tell(new DialConnected(dial.Host, dial.Port, opened.LocalAddress, opened.RemoteAddress, session));
        }
    }

    // The session factory is the caller's code: whatever it throws costs this connection only (the writer stops and
    // closes the socket; a dial is answered DialFailed once the writer is gone), never the manager and its children.
    private IActorRef? StartSession(IActorRef writer, PendingConnection pending, ConnectionOpened opened)
    {
        IActorRef session;
        try
        {
            var props = _sessionProps(new SessionConnection(pending.Dialed, writer, pending.Handler, opened.RemoteAddress, pending.Dial?.Verifier));
            session = Context.ActorOf(props, $"session-{++_next}");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.Error("Kamune: the session for {RemoteAddress} could not start ({ErrorType}: {Reason}); closing its connection",
                opened.RemoteAddress, e.GetType().Name, e.Message);
            _connections[writer] = pending with { FailureReason = $"the session could not start ({e.GetType().Name}: {e.Message})" };
            Context.Stop(writer);
            return null;
        }

        Context.Watch(session);
        _sessions[session] = writer;
        _connections[writer] = pending with { Session = session };
        writer.Tell(new AttachPeer(session));
        if (_shutdownWaiters is not null)
        {
            // Accepted while the listeners were still draining: it is closed like every other session.
            session.Tell(CloseSession.Instance);
        }

        return session;
    }

    private void OnTerminated(Terminated terminated)
    {
        var actor = terminated.ActorRef;
        if (_sessions.Remove(actor, out var writer))
        {
            // The session ended (its connection closed, failed or timed out): its handshake slot is free now, not
            // only once the writer has flushed and closed the socket.
            if (_connections.TryGetValue(writer, out var pending) && pending.Handshaking)
            {
                _connections[writer] = pending with { Handshaking = false };
            }

            _slots.Release(writer);
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
            _slots.Release(actor);

            // DialFailed goes out only now, once the writer is gone: a caller that sees it finds nothing left running.
            // A writer that stopped (or crashed) before the connection opened is a failed dial too.
            if (pending is { Dialed: true, Answered: false, Requester: { } requester, Dial: { } dial })
            {
                requester.Tell(new DialFailed(dial.Host, dial.Port,
                    pending.FailureReason ?? "the connection actor stopped before the connection opened"));
            }

            return;
        }

        ForgetListener(actor);
    }

    private sealed record PendingConnection(bool Dialed, IActorRef Handler, IActorRef? Requester, DialPeer? Dial)
    {
        public string? FailureReason { get; init; }

        /// <summary>True from the TCP connection until its session reports <see cref="PeerEstablished"/>, ends or is evicted.</summary>
        public bool Handshaking { get; init; } = true;

        /// <summary>The session actor, once the connection opened.</summary>
        public IActorRef? Session { get; init; }

        /// <summary>The dial's requester was answered <see cref="DialConnected"/>.</summary>
        public bool Answered { get; init; }

        /// <summary>Why it gave up its handshake slot to a newer connection (it is closing); null while it holds one.</summary>
        public string? EvictedBecause { get; init; }
    }
}

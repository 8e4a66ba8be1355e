using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Kamune.Actors;
using Kamune.Node.Cli;
using Kamune.Node.Json;

namespace Kamune.Node.Hosting;

/// <summary>Where the hub's events go: the JSON line writer or the chat console. Called from the hub's thread only.</summary>
public interface INodeOutput
{
    void Emit(NodeEvent nodeEvent);
}

/// <summary>
/// An output that sends on sessions itself (the bench) and takes back its sends the session refused (back-pressure:
/// kamune.send-window full) instead of hearing them as errors. Called from the hub's thread only.
/// </summary>
internal interface IRefusedSendHandler
{
    void OnSendRefused(int session, string reason);
}

/// <summary>Dial <paramref name="Address"/>; the asker gets a <see cref="DialOutcome"/> once the session is up or has failed.</summary>
internal sealed record HubDial(PeerAddress Address);

/// <summary>
/// The end of a <see cref="HubDial"/>: the session number and its actor, or why there is none. A caller that sends
/// on the session directly (the bench) names the hub as sender, so the hub still hears every SendAck and SendRefused.
/// </summary>
internal sealed record DialOutcome(PeerAddress Address, int? Session, string? Error, IActorRef? Actor = null);

internal sealed record HubSend(int Session, ReadOnlyMemory<byte> Data);

internal sealed record HubClose(int Session);

/// <summary>Close every session gracefully; answered with <see cref="AllClosed"/> once none is left.</summary>
internal sealed class HubCloseAll
{
    public static readonly HubCloseAll Instance = new();

    private HubCloseAll()
    {
    }
}

internal sealed class AllClosed
{
    public static readonly AllClosed Instance = new();

    private AllClosed()
    {
    }
}

/// <summary>Answered with <see cref="HubSessions"/>: the live sessions, for /peers.</summary>
internal sealed class HubListSessions
{
    public static readonly HubListSessions Instance = new();

    private HubListSessions()
    {
    }
}

internal sealed record HubSessionInfo(int Number, string SessionId, PeerInfo Peer, SessionRole Role);

internal sealed record HubSessions(IReadOnlyList<HubSessionInfo> Sessions);

/// <summary>
/// The application side of a node: the handler every session of this node reports to. It numbers established
/// sessions 1, 2, 3... (the numbers the console's /use and the JSON commands take), turns runtime events into
/// <see cref="NodeEvent"/>s, carries user commands to the right session actor and, with echo on, sends every
/// received message back on its session.
/// </summary>
internal sealed class SessionHub : ReceiveActor, IWithTimers
{
    private readonly IActorRef _manager;
    private readonly INodeOutput _output;
    private readonly bool _echo;
    private readonly Action<EndPoint, PeerAddress>? _onDial;
    private readonly Func<RemotePeer, string?>? _onEstablished;
    private readonly Dictionary<IActorRef, string> _refused = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<int, Entry> _byNumber = new();
    private readonly Dictionary<IActorRef, int> _numbers = new();
    private readonly Dictionary<IActorRef, PendingDial> _dialedSessions = new();
    private readonly List<PendingDial> _connecting = new();
    private readonly List<IActorRef> _closeWaiters = new();
    private readonly Dictionary<IActorRef, HeldEchoes> _heldEchoes = new();
    private int _next;
    private bool _outputFailed;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="onEstablished">
    /// Told each session once it is established, before it gets a number (the trust store pins the key here, not at
    /// the Introduce); a reason returned closes that session instead.
    /// </param>
    public SessionHub(IActorRef manager, INodeOutput output, bool echo, Action<EndPoint, PeerAddress>? onDial, Func<RemotePeer, string?>? onEstablished = null)
    {
        _manager = manager;
        _output = output;
        _echo = echo;
        _onDial = onDial;
        _onEstablished = onEstablished;

        Receive<HubDial>(dial => StartDial(dial.Address, Sender));
        Receive<Resolved>(OnResolved);
        Receive<Dialing>(OnDialing);
        Receive<DialFailed>(OnDialFailed);
        Receive<SessionEstablished>(OnEstablished);
        Receive<MessageReceived>(OnMessage);
        Receive<SessionClosed>(OnClosed);
        Receive<SendAck>(ack =>
        {
            if (ack.CorrelationId is int number)
            {
                Emit(new NodeEvent.Sent(number, ack.Sequence));
            }
            else if (ack.CorrelationId is Echo echo)
            {
                OnEchoSent(Sender, echo);
            }
        });
        Receive<SendRefused>(refused =>
        {
            if (refused.CorrelationId is int number)
            {
                if (_output is IRefusedSendHandler handler)
                {
                    handler.OnSendRefused(number, refused.Reason);
                }
                else
                {
                    Emit(new NodeEvent.Error($"send refused: {refused.Reason}", number));
                }
            }
            else if (refused.CorrelationId is Echo echo)
            {
                OnEchoRefused(Sender, echo, refused.Reason);
            }
        });
        Receive<RetryEcho>(retry =>
        {
            if (_heldEchoes.TryGetValue(retry.Session, out var held) && held.Head is { } head)
            {
                retry.Session.Tell(new Send(head.Data, head));
            }
        });
        Receive<HubSend>(send =>
        {
            if (TryGet(send.Session, out var entry))
            {
                entry.Actor.Tell(new Send(send.Data, send.Session));
            }
        });
        Receive<HubClose>(close =>
        {
            if (TryGet(close.Session, out var entry))
            {
                entry.Actor.Tell(CloseSession.Instance);
            }
        });
        Receive<HubCloseAll>(_ =>
        {
            _closeWaiters.Add(Sender);
            foreach (var entry in _byNumber.Values)
            {
                entry.Actor.Tell(CloseSession.Instance);
            }

            // Sessions still in their handshake have no number yet; they are closed too, so none outlives the node.
            foreach (var pending in _dialedSessions.Keys)
            {
                pending.Tell(CloseSession.Instance);
            }

            ReplyIfAllClosed();
        });
        Receive<HubListSessions>(_ => Sender.Tell(new HubSessions(
            _byNumber.OrderBy(p => p.Key).Select(p => new HubSessionInfo(p.Key, p.Value.SessionId, p.Value.Peer, p.Value.Role)).ToArray())));
    }

    public static Props Props(IActorRef manager, INodeOutput output, bool echo, Action<EndPoint, PeerAddress>? onDial, Func<RemotePeer, string?>? onEstablished = null) =>
        Akka.Actor.Props.Create(() => new SessionHub(manager, output, echo, onDial, onEstablished));

    /// <summary>The JSON/console form of a peer.</summary>
    public static PeerInfo Describe(RemotePeer peer) => new(peer.Name, peer.Identity, PeerAddress.Format(peer.Address));

    /// <summary>The close reasons as the JSON schema names them.</summary>
    public static string ReasonText(CloseReason reason) => reason switch
    {
        CloseReason.PeerClosed => "peer_closed",
        CloseReason.ConnectionLost => "connection_lost",
        CloseReason.ProtocolError => "protocol_error",
        CloseReason.LocalClose => "local_close",
        CloseReason.Timeout => "timeout",
        CloseReason.Rejected => "rejected",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private void StartDial(PeerAddress address, IActorRef requester)
    {
        // Resolve here rather than in the runtime, so the trust store knows which endpoint a dialed name became.
        var self = Self;
        Resolve(address).PipeTo(self, success: ip => new Resolved(address, ip, null, requester),
            failure: e => new Resolved(address, null, e is SocketException s ? s.Message : e.Message, requester));
    }

    private static async Task<IPAddress> Resolve(PeerAddress address)
    {
        if (IPAddress.TryParse(address.Host, out var literal))
        {
            return literal;
        }

        var addresses = await Dns.GetHostAddressesAsync(address.Host).ConfigureAwait(false);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
    }

    private void OnResolved(Resolved resolved)
    {
        if (resolved.Ip is null)
        {
            Fail(new PendingDial(resolved.Address, resolved.Requester), $"cannot resolve {resolved.Address.Host}: {resolved.Error}");
            return;
        }

        var endpoint = new IPEndPoint(resolved.Ip, resolved.Address.Port);
        _onDial?.Invoke(endpoint, resolved.Address);
        _connecting.Add(new PendingDial(resolved.Address, resolved.Requester) { Ip = resolved.Ip.ToString() });
        _manager.Tell(new Dial(resolved.Ip.ToString(), resolved.Address.Port, Self));
    }

    private void OnDialing(Dialing dialing)
    {
        var index = _connecting.FindIndex(p => p.Ip == dialing.Host && p.Address.Port == dialing.Port);
        if (index < 0)
        {
            return;
        }

        _dialedSessions[dialing.Session] = _connecting[index];
        _connecting.RemoveAt(index);
    }

    private void OnDialFailed(DialFailed failed)
    {
        var index = _connecting.FindIndex(p => p.Ip == failed.Host && p.Address.Port == failed.Port);
        if (index < 0)
        {
            return;
        }

        var pending = _connecting[index];
        _connecting.RemoveAt(index);
        Fail(pending, $"cannot connect to {pending.Address}: {failed.Reason}");
    }

    private void Fail(PendingDial pending, string message)
    {
        Emit(new NodeEvent.Error(message, Address: pending.Address.ToString()));
        pending.Requester.Tell(new DialOutcome(pending.Address, null, message));
        ReplyIfAllClosed();
    }

    private void OnEstablished(SessionEstablished established)
    {
        if (_onEstablished?.Invoke(established.Peer) is { } refusal)
        {
            // Never numbered: its SessionClosed reports it as a failed session, with this reason as the detail.
            _refused[established.Session] = refusal;
            established.Session.Tell(CloseSession.Instance);
            return;
        }

        var number = ++_next;
        var peer = Describe(established.Peer);
        _byNumber[number] = new Entry(established.Session, established.SessionId, peer, established.Role);
        _numbers[established.Session] = number;
        Emit(new NodeEvent.SessionEstablished(
            number, established.SessionId, peer, established.Role == SessionRole.Initiator ? "initiator" : "responder"));
        if (_dialedSessions.Remove(established.Session, out var pending))
        {
            pending.Requester.Tell(new DialOutcome(pending.Address, number, null, established.Session));
        }
    }

    // An output that throws (a closed console, a bug in a writer) must not restart the hub: its tables are the only
    // record of the live sessions. The event is lost, logged once per run of failures.
    private void Emit(NodeEvent nodeEvent)
    {
        try
        {
            _output.Emit(nodeEvent);
            _outputFailed = false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!_outputFailed)
            {
                _log.Error(e, "Node output failed; events are dropped until it works again");
                _outputFailed = true;
            }
        }
    }

    // Answered with DeliveryAck once handled (kamune.delivery-window): a blocked output (stdout nobody reads) holds
    // the answers back, so the session stops reading its socket instead of this mailbox growing. Answered even when
    // handling throws (the hub restarts), or every failure would shrink the session's window for good.
    private void OnMessage(MessageReceived received)
    {
        try
        {
            Deliver(received);
        }
        finally
        {
            received.Session.Tell(DeliveryAck.Instance);
        }
    }

    private void Deliver(MessageReceived received)
    {
        if (!_numbers.TryGetValue(received.Session, out var number))
        {
            return;
        }

        Emit(new NodeEvent.MessageReceived(number, received.Sequence, received.Data));
        if (!_echo)
        {
            return;
        }

        var echo = new Echo(received.Data);
        if (_heldEchoes.TryGetValue(received.Session, out var held))
        {
            // Earlier echoes wait for the session's send window: this one goes after them.
            if (HasRoom(held, number))
            {
                held.AddUnsent(echo);
            }

            return;
        }

        received.Session.Tell(new Send(received.Data, echo));
    }

    // An echo refused by back-pressure (kamune.send-window full) is not dropped: it and every later echo of that
    // session wait here and go out one at a time, in the order received, as the session accepts them. A peer that
    // keeps more messages in flight than our send window (bench with a larger bench-window) still gets every echo.
    private void OnEchoRefused(IActorRef session, Echo echo, string reason)
    {
        if (!_numbers.TryGetValue(session, out var number))
        {
            return;
        }

        if (!_heldEchoes.TryGetValue(session, out var held))
        {
            held = new HeldEchoes();
            _heldEchoes[session] = held;
        }

        if (!held.IsHead(echo))
        {
            // Refusals come back in send order: this one goes after the earlier refused ones and before every echo
            // that was held without being sent. Being older than those, at the cap it takes the newest one's place,
            // so what is held is always the oldest echoes, without a gap.
            if (held.Count >= MaxHeldEchoes && held.DropNewestUnsent())
            {
                NoteDropped(held, number);
            }
            else if (!HasRoom(held, number))
            {
                return;
            }

            held.AddRefused(echo);
            _log.Debug("Echo held for the send window: {Reason}", reason);
        }

        Timers.StartSingleTimer(session, new RetryEcho(session), EchoRetryDelay);
    }

    // A peer that sends far more than it reads of our echoes must not grow this node's memory at will: beyond the cap
    // its echoes are dropped (logged once per episode).
    private bool HasRoom(HeldEchoes held, int number)
    {
        if (held.Count < MaxHeldEchoes)
        {
            return true;
        }

        NoteDropped(held, number);
        return false;
    }

    private void NoteDropped(HeldEchoes held, int number)
    {
        if (held.Dropped++ == 0)
        {
            _log.Warning("Echoes dropped: {Count} already wait for session {Number}'s send window", held.Count, number);
        }
    }

    private void OnEchoSent(IActorRef session, Echo echo)
    {
        if (!_heldEchoes.TryGetValue(session, out var held) || !held.IsHead(echo))
        {
            return;
        }

        if (held.RemoveHead() is { } next)
        {
            session.Tell(new Send(next.Data, next));
        }
        else
        {
            _heldEchoes.Remove(session);
        }
    }

    private void OnClosed(SessionClosed closed)
    {
        if (_heldEchoes.Remove(closed.Session))
        {
            Timers.Cancel(closed.Session);
        }

        var detail = _refused.Remove(closed.Session, out var refusal) ? $"refused: {refusal}" : closed.Detail;
        if (_numbers.Remove(closed.Session, out var number))
        {
            _byNumber.Remove(number);
            Emit(new NodeEvent.SessionClosed(number, ReasonText(closed.Reason), closed.Detail));
        }
        else if (_dialedSessions.Remove(closed.Session, out var pending))
        {
            // A dialed session that never got established: the handshake failed or a key was refused.
            Fail(pending, $"session with {pending.Address} failed ({ReasonText(closed.Reason)}): {detail}");
        }
        else
        {
            // An accepted connection that never got established: worth a line, not a session event.
            Emit(new NodeEvent.Error(
                $"incoming session from {PeerAddress.Format(closed.RemoteAddress)} failed ({ReasonText(closed.Reason)}): {detail}",
                Address: PeerAddress.Format(closed.RemoteAddress)));
        }

        ReplyIfAllClosed();
    }

    private bool TryGet(int number, out Entry entry)
    {
        if (_byNumber.TryGetValue(number, out entry!))
        {
            return true;
        }

        Emit(new NodeEvent.Error($"no session {number}; live sessions: {(_byNumber.Count == 0 ? "none" : string.Join(", ", _byNumber.Keys.Order()))}", number));
        return false;
    }

    private void ReplyIfAllClosed()
    {
        if (_closeWaiters.Count > 0 && _byNumber.Count == 0 && _dialedSessions.Count == 0)
        {
            foreach (var waiter in _closeWaiters)
            {
                waiter.Tell(AllClosed.Instance);
            }

            _closeWaiters.Clear();
        }
    }

    private static readonly TimeSpan EchoRetryDelay = TimeSpan.FromMilliseconds(5);

    // Echoes one session may hold for its send window: far above any in-flight window a well-behaved peer uses.
    private const int MaxHeldEchoes = 4096;

    private sealed record Entry(IActorRef Actor, string SessionId, PeerInfo Peer, SessionRole Role);

    /// <summary>The correlation of an echo: the payload to send again if the session refuses it for back-pressure.</summary>
    private sealed class Echo(ReadOnlyMemory<byte> data)
    {
        public ReadOnlyMemory<byte> Data { get; } = data;
    }

    private sealed record RetryEcho(IActorRef Session);

    /// <summary>One session's echoes waiting for its send window: the refused ones first, in send order, then the unsent.</summary>
    private sealed class HeldEchoes
    {
        private readonly List<Echo> _items = new();
        private int _refused;

        public int Count => _items.Count;

        /// <summary>Echoes dropped because too many were held (logged once per episode).</summary>
        public int Dropped { get; set; }

        public Echo? Head => _items.Count > 0 ? _items[0] : null;

        public bool IsHead(Echo echo) => _items.Count > 0 && ReferenceEquals(_items[0], echo);

        public void AddRefused(Echo echo) => _items.Insert(_refused++, echo);

        public void AddUnsent(Echo echo) => _items.Add(echo);

        /// <summary>Drops the newest echo that was never sent, if there is one.</summary>
        public bool DropNewestUnsent()
        {
            if (_items.Count <= _refused)
            {
                return false;
            }

            _items.RemoveAt(_items.Count - 1);
            return true;
        }

        public Echo? RemoveHead()
        {
            _items.RemoveAt(0);
            _refused = Math.Max(0, _refused - 1);
            return Head;
        }
    }

    private sealed record PendingDial(PeerAddress Address, IActorRef Requester)
    {
        public string? Ip { get; init; }
    }

    private sealed record Resolved(PeerAddress Address, IPAddress? Ip, string? Error, IActorRef Requester);
}

using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Kamune.Node.Cli;
using Kamune.Node.Json;

namespace Kamune.Node.Hosting;

/// <summary>
/// The application side of a node: the handler every session of this node reports to. It numbers established
/// sessions (<see cref="SessionNumbers{TSession,TInfo}"/>), turns runtime events into <see cref="NodeEvent"/>s,
/// carries user commands to the right session actor, answers dials (<see cref="DialBook{TSession,TRequester,TEarly}"/>)
/// and, with echo on, sends every received message back on its session (<see cref="EchoBook{TSession}"/>).
/// </summary>
internal sealed partial class SessionHub : ReceiveActor, IWithTimers
{
    // Commanded sends one session may queue before the intake waits for it: 256 messages or 1 MiB, and 16 MiB for the
    // whole node. Far more than one session's send window, so a script writing ahead never waits on a moving session.
    private const int MaxQueuedSends = 256;
    private const long MaxQueuedSendBytes = 1024 * 1024;
    private const long MaxQueuedBytes = 16 * 1024 * 1024;

    private readonly IActorRef _manager;
    private readonly INodeOutput _output;
    private readonly bool _echo;
    private readonly Func<PeerAddress, IIdentityVerifier?>? _onDial;
    private readonly Func<RemotePeer, PeerAddress?, string?>? _onEstablished;
    private readonly Dictionary<IActorRef, string> _refused = new();
    private readonly TimeSpan _dialAnswerTimeout;
    private readonly HubRetryDelays _retryDelays;
    // The node's own warnings go to Serilog directly, not through Akka's logging: without --verbose Akka's (and so the
    // library's) logs are off, and these must still reach stderr. Serilog's stderr writer never waits on a pipe.
    private readonly Serilog.ILogger _log = Serilog.Log.ForContext<SessionHub>();
    private readonly SessionNumbers<IActorRef, Entry> _sessions = new();
    private readonly DialBook<IActorRef, IActorRef, SessionEstablished> _dials = new();
    private readonly EchoBook<IActorRef> _echoes = new(MaxHeldEchoes, MaxHeldEchoBytes);
    private readonly SendQueue<IActorRef> _sends = new(MaxQueuedSends, MaxQueuedSendBytes, MaxQueuedBytes);
    private readonly List<(IActorRef Asker, IActorRef Session)> _waitingIntake = new();
    private readonly List<IActorRef> _closeWaiters = new();
    private bool _outputFailed;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="onDial">The verifier for each dial's one session (the TOFU address pin), or null: the node's.</param>
    /// <param name="onEstablished">
    /// Told each session once it is established, before it gets a number, with the address it was dialed at (null for
    /// an accepted one): the trust store pins the key here, not at the Introduce. A reason returned closes that
    /// session instead.
    /// </param>
    /// <param name="retryDelays">The fallback timers for sends refused for back-pressure (null: <see cref="HubRetryDelays.Default"/>).</param>
    public SessionHub(
        IActorRef manager, INodeOutput output, bool echo, Func<PeerAddress, IIdentityVerifier?>? onDial,
        Func<RemotePeer, PeerAddress?, string?>? onEstablished = null, HubRetryDelays? retryDelays = null)
    {
        _retryDelays = retryDelays ?? HubRetryDelays.Default;
        _onEstablished = onEstablished;
        _manager = manager;
        _output = output;
        _echo = echo;
        _onDial = onDial;
        // The runtime answers every dial within its dial timeout; the margin covers a busy node.
        _dialAnswerTimeout = KamuneSettings.Create(Context.System).DialTimeout + TimeSpan.FromSeconds(5);

        Receive<HubDial>(dial => StartDial(dial.Address, Sender));
        Receive<Resolved>(OnResolved);
        Receive<DialAnswered>(OnDialAnswered);
        Receive<Terminated>(OnTerminated);
        Receive<SessionEstablished>(OnEstablished);
        Receive<MessageReceived>(OnMessage);
        Receive<SessionClosed>(OnClosed);
        Receive<SendAck>(OnSendAck);
        Receive<SendRefused>(OnSendRefused);
        Receive<RetryEcho>(OnRetryEcho);
        Receive<HubSend>(OnHubSend);
        Receive<HubClose>(OnHubClose);
        Receive<RetrySend>(OnRetrySend);
        Receive<SendWindowOpen>(OnSendWindowOpen);
        Receive<HubCloseAll>(_ => CloseAll());
        Receive<HubListSessions>(_ => Sender.Tell(new HubSessions(
            _sessions.Live().Select(s => new HubSessionInfo(s.Number, s.Info.SessionId, s.Info.Peer, s.Info.Role)).ToArray())));
    }

    public static Props Props(
        IActorRef manager, INodeOutput output, bool echo, Func<PeerAddress, IIdentityVerifier?>? onDial,
        Func<RemotePeer, PeerAddress?, string?>? onEstablished = null, HubRetryDelays? retryDelays = null) =>
        Akka.Actor.Props.Create(() => new SessionHub(manager, output, echo, onDial, onEstablished, retryDelays));

    private void OnEstablished(SessionEstablished established)
    {
        DialBook<IActorRef, IActorRef, SessionEstablished>.Pending? dialed = null;
        if (established.Role == SessionRole.Initiator)
        {
            if (_dials.TryPeek(established.Session, out var pending))
            {
                dialed = pending;
            }
            else if (_dials.TryHoldEarly(established.Session, established))
            {
                // Its DialConnected is still on the way: numbered once it names the dial this session answers.
                return;
            }
            else
            {
                _log.Warning("Closing a dialed session no dial of this node is waiting for");
                established.Session.Tell(CloseSession.Instance);
                return;
            }
        }

        // The address comes from this session's own dial, never from a lookup by endpoint.
        if (_onEstablished?.Invoke(established.Peer, dialed?.Address) is { } refusal)
        {
            // Never numbered: its SessionClosed reports it as a failed session (and fails its dial), with this reason.
            _refused[established.Session] = refusal;
            established.Session.Tell(CloseSession.Instance);
            return;
        }

        if (dialed is not null)
        {
            _dials.TryClaim(established.Session, out _);
            Context.Unwatch(established.Session);
        }

        var peer = HubEvents.Describe(established.Peer);
        var number = _sessions.Add(established.Session, new Entry(established.SessionId, peer, established.Role));
        Emit(new NodeEvent.SessionEstablished(
            number, established.SessionId, peer, established.Role == SessionRole.Initiator ? "initiator" : "responder"));
        dialed?.Requester.Tell(new DialOutcome(dialed.Address, number, null, established.Session));
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
                _log.Error(e, "Node output failed ({Reason}); events are dropped until it works again", e.Message);
                _outputFailed = true;
            }
        }
    }

    // Answered with DeliveryAck once handled (kamune.delivery-window): a blocked output (stdout nobody reads) holds
    // the answers back, so the session stops reading its socket instead of this mailbox growing. In echo mode the
    // answer waits for the echo (SessionHub.Echo.cs). Answered even when handling throws (the hub restarts), or every
    // failure would shrink the session's window for good.
    private void OnMessage(MessageReceived received)
    {
        var echoed = false;
        try
        {
            if (_sessions.TryNumber(received.Session, out var number))
            {
                Emit(new NodeEvent.MessageReceived(number, received.Sequence, received.Data));
                echoed = _echo && Echo(received, number);
            }
        }
        finally
        {
            if (!echoed)
            {
                received.Session.Tell(DeliveryAck.Instance);
            }
        }
    }

    private void OnSendAck(SendAck ack)
    {
        if (ack.CorrelationId is Outgoing outgoing)
        {
            OnOutgoingAck(ack, outgoing);
        }
        else if (ack.CorrelationId is int number)
        {
            Emit(new NodeEvent.Sent(number, ack.Sequence));
        }
        else if (ack.CorrelationId is Echo echo)
        {
            OnEchoAccepted(echo);
        }
    }

    private void OnSendRefused(SendRefused refused)
    {
        if (refused.CorrelationId is Outgoing outgoing)
        {
            OnOutgoingRefused(refused, outgoing);
        }
        else if (refused.CorrelationId is int number)
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
            OnEchoRefused(echo, refused.Reason);
        }
    }

    private void OnClosed(SessionClosed closed)
    {
        if (_echoes.Remove(closed.Session))
        {
            Timers.Cancel(closed.Session);
        }

        var detail = _refused.Remove(closed.Session, out var refusal) ? $"refused: {refusal}" : closed.Detail;
        if (_sessions.Remove(closed.Session, out var number))
        {
            Emit(new NodeEvent.SessionClosed(number, HubEvents.ReasonText(closed.Reason), closed.Detail));
            ForgetSends(closed.Session, number);
        }
        else if (_dials.TryClaim(closed.Session, out var pending))
        {
            // A dialed session that never got established: the handshake failed or a key was refused.
            Context.Unwatch(closed.Session);
            Fail(pending, $"session with {pending.Address} failed ({HubEvents.ReasonText(closed.Reason)}): {detail}");
        }
        else
        {
            // An accepted connection that never got established: worth a line, not a session event.
            Emit(new NodeEvent.Error(
                $"incoming session from {PeerAddress.Format(closed.RemoteAddress)} failed ({HubEvents.ReasonText(closed.Reason)}): {detail}",
                Address: PeerAddress.Format(closed.RemoteAddress)));
        }

        ReplyIfAllClosed();
    }

    private void CloseAll()
    {
        _closeWaiters.Add(Sender);
        // Each session closes after the messages commanded before (end of stdin, quit): a script that writes its sends
        // and ends its input has every one delivered, within kamune-node.shutdown-timeout.
        foreach (var (number, session, _) in _sessions.Live().ToArray())
        {
            QueueClose(number, session);
        }

        // Sessions still in their handshake have no number yet; they are closed too, so none outlives the node.
        foreach (var pending in _dials.Handshaking)
        {
            pending.Tell(CloseSession.Instance);
        }

        ReplyIfAllClosed();
    }

    private bool TryGet(int number, out IActorRef session)
    {
        if (_sessions.TryGet(number, out session, out _))
        {
            return true;
        }

        Emit(new NodeEvent.Error(_sessions.Unknown(number), number));
        return false;
    }

    private void ReplyIfAllClosed()
    {
        if (_closeWaiters.Count > 0 && _sessions.Count == 0 && _dials.HandshakingCount == 0)
        {
            foreach (var waiter in _closeWaiters)
            {
                waiter.Tell(AllClosed.Instance);
            }

            _closeWaiters.Clear();
        }
    }

    private sealed record Entry(string SessionId, PeerInfo Peer, SessionRole Role);

}

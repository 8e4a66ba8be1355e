using System.Buffers.Binary;
using System.Security.Cryptography;
using Akka.Actor;

namespace Kamune.Tests.Load;

// Issue 6 item 4: the application-level check of "every message delivered exactly once and in order". One handler
// per node takes the events of all its sessions (dialed and accepted) and, once started, sends and checks messages
// on each of them.

/// <summary>Begin the message phase: <paramref name="IndexBySessionId"/> numbers the sessions both nodes share.</summary>
internal sealed record StartLoad(IReadOnlyDictionary<string, int> IndexBySessionId, int MessagesPerSession);

/// <summary>Every started session has had all its sends acknowledged and all its messages received.</summary>
internal sealed record LoadDone(int Sessions);

/// <summary>Ask for the results so far; answered with <see cref="LoadResults"/>.</summary>
internal sealed class GetLoadResults
{
    public static readonly GetLoadResults Instance = new();

    private GetLoadResults()
    {
    }
}

/// <summary>
/// One session as one node saw it: messages sent (acknowledged) and received, and a running SHA-256 over the data
/// of each, so the sender's hash equals the receiver's only if every message arrived once, in order, intact.
/// </summary>
internal sealed record SessionTally(int Index, int Sent, int Received, int Refusals, byte[] SentHash, byte[] ReceivedHash);

/// <summary>Tallies by session id, and every violation seen (empty when all is well).</summary>
internal sealed record LoadResults(IReadOnlyDictionary<string, SessionTally> Sessions, IReadOnlyList<string> Violations);

/// <summary>Close every session this node holds (CloseSession to each).</summary>
internal sealed class CloseAllSessions
{
    public static readonly CloseAllSessions Instance = new();

    private CloseAllSessions()
    {
    }
}

/// <summary>
/// Sends messages 0..M-1 on every started session, one outstanding at a time, so the application order is the send
/// order; a back-pressure refusal is retried later and never counts as sent. Each message is
/// [session index: int32 BE][message index: int32 BE][random bytes of random length]. On receipt it checks the
/// session index, that the message index and the protocol sequence each go up by exactly 1 (the first application
/// message has sequence 3, after the two challenge messages), and hashes the data. SessionEstablished and
/// SessionClosed are forwarded to <c>events</c>.
/// </summary>
internal sealed class CheckingLoadHandler : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    private const int MaxExtra = 1024;
    private const ulong FirstSequence = 3;

    private readonly Dictionary<IActorRef, SessionLoad> _sessions = new();
    private readonly Dictionary<string, SessionTally> _closedTallies = new();
    private readonly List<string> _violations = new();
    private IActorRef _doneTo = ActorRefs.Nobody;
    private bool _loadStarted;
    private int _messages;
    private int _started;
    private int _finished;

    public CheckingLoadHandler(IActorRef events)
    {
        Receive<SessionEstablished>(established =>
        {
            _sessions[established.Session] = new SessionLoad(established.Session, established.SessionId, established.Role);
            events.Forward(established);
        });
        Receive<StartLoad>(start =>
        {
            _loadStarted = true;
            _doneTo = Sender;
            _messages = start.MessagesPerSession;
            foreach (var load in _sessions.Values)
            {
                if (start.IndexBySessionId.TryGetValue(load.SessionId, out var index))
                {
                    load.Start(index);
                    _started++;
                    SendNext(load);
                }
            }

            Stash.UnstashAll();
        });
        // The other node's handler may start first: its messages wait here until this side knows the session indexes.
        Receive<MessageReceived>(_ => !_loadStarted, _ => Stash.Stash());
        Receive<MessageReceived>(OnReceived);
        Receive<SendAck>(ack =>
        {
            var load = (SessionLoad)ack.CorrelationId!;
            if (ack.Sequence != FirstSequence + (ulong)load.Sent)
            {
                Violation(load, $"SendAck sequence: expected {FirstSequence + (ulong)load.Sent}, got {ack.Sequence}");
            }

            load.Acknowledged();
            if (load.Sent < _messages)
            {
                SendNext(load);
            }

            CheckFinished(load);
        });
        Receive<SendRefused>(refused =>
        {
            var load = (SessionLoad)refused.CorrelationId!;
            load.Refusals++;
            if (refused.Reason.StartsWith("Back-pressure", StringComparison.Ordinal))
            {
                Timers.StartSingleTimer(load, new RetrySend(load), TimeSpan.FromMilliseconds(5));
            }
            else
            {
                Violation(load, $"send {load.Sent} refused: {refused.Reason}");
            }
        });
        Receive<RetrySend>(retry => retry.Load.Session.Tell(retry.Load.Pending!, Self));
        Receive<SessionClosed>(closed =>
        {
            if (_sessions.Remove(closed.Session, out var load))
            {
                if (load.Index >= 0 && !load.Finished(_messages))
                {
                    Violation(load, $"closed before the load finished ({closed.Reason}: {closed.Detail})");
                }

                _closedTallies[load.SessionId] = load.Tally();
            }

            events.Forward(closed);
        });
        Receive<CloseAllSessions>(_ =>
        {
            foreach (var session in _sessions.Keys)
            {
                session.Tell(CloseSession.Instance);
            }
        });
        Receive<GetLoadResults>(_ =>
        {
            var tallies = new Dictionary<string, SessionTally>(_closedTallies);
            foreach (var load in _sessions.Values)
            {
                tallies[load.SessionId] = load.Tally();
            }

            Sender.Tell(new LoadResults(tallies, _violations.ToList()));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    public static Props Props(IActorRef events) => Akka.Actor.Props.Create(() => new CheckingLoadHandler(events));

    private void SendNext(SessionLoad load) => load.Session.Tell(load.Next(), Self);

    private void OnReceived(MessageReceived received)
    {
        if (!_sessions.TryGetValue(received.Session, out var load))
        {
            _violations.Add($"message on an unknown session {received.SessionId}");
            return;
        }

        var data = received.Data.Span;
        if (data.Length < 8)
        {
            Violation(load, $"message length: expected at least 8 bytes, got {data.Length}");
            return;
        }

        var index = BinaryPrimitives.ReadInt32BigEndian(data);
        var number = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
        if (index != load.Index)
        {
            Violation(load, $"session index: expected {load.Index}, got {index}");
        }

        if (number != load.Received)
        {
            Violation(load, $"message index: expected {load.Received}, got {number}");
        }

        if (received.Sequence != FirstSequence + (ulong)load.Received)
        {
            Violation(load, $"sequence: expected {FirstSequence + (ulong)load.Received}, got {received.Sequence}");
        }

        load.Receive(data);
        CheckFinished(load);
    }

    private void CheckFinished(SessionLoad load)
    {
        if (load.Index >= 0 && !load.Reported && load.Finished(_messages))
        {
            load.Reported = true;
            if (++_finished == _started)
            {
                _doneTo.Tell(new LoadDone(_finished));
            }
        }
    }

    private void Violation(SessionLoad load, string what)
    {
        // The first few say what broke; a flood of follow-on errors would only hide them.
        if (_violations.Count < 50)
        {
            _violations.Add($"session {load.Index} ({load.SessionId}, {load.Role}): {what}");
        }
    }

    private sealed record RetrySend(SessionLoad Load);

    private sealed class SessionLoad(IActorRef session, string sessionId, SessionRole role)
    {
        private readonly IncrementalHash _sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly IncrementalHash _receivedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private Random _random = new(0);

        public IActorRef Session { get; } = session;

        public string SessionId { get; } = sessionId;

        public SessionRole Role { get; } = role;

        public int Index { get; private set; } = -1;

        public int Sent { get; private set; }

        public int Received { get; private set; }

        public int Refusals { get; set; }

        public bool Reported { get; set; }

        public SendMessage? Pending { get; private set; }

        public void Start(int index)
        {
            Index = index;
            // Each direction of each session draws its own reproducible lengths and bytes.
            _random = new Random(index * 2 + (Role == SessionRole.Initiator ? 0 : 1));
        }

        public SendMessage Next()
        {
            var data = new byte[8 + _random.Next(MaxExtra + 1)];
            BinaryPrimitives.WriteInt32BigEndian(data, Index);
            BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), Sent);
            _random.NextBytes(data.AsSpan(8));
            Pending = new SendMessage(data, this);
            return Pending;
        }

        public void Acknowledged()
        {
            _sentHash.AppendData(Pending!.Data.Span);
            Pending = null;
            Sent++;
        }

        public void Receive(ReadOnlySpan<byte> data)
        {
            _receivedHash.AppendData(data);
            Received++;
        }

        public bool Finished(int messages) => Sent == messages && Received == messages;

        public SessionTally Tally() =>
            new(Index, Sent, Received, Refusals, _sentHash.GetCurrentHash(), _receivedHash.GetCurrentHash());
    }
}

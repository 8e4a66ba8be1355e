using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Kamune.Actors.Runtime;

/// <summary>
/// Delivers inbound frames to the session actor under the connection contract (ConnectionMessages.cs): one
/// <see cref="FrameReceived"/> per <see cref="FrameAck"/>, or everything it holds (<see cref="FramesReceived"/>) per
/// <see cref="FramesAck"/>. It reads ahead up to <c>capacity</c> frames (kamune.inbound-buffer) while the session works.
/// Unlike Akka's <c>Sink.ActorRefWithAck</c>, the end of the stream (<see cref="ConnectionCompleted"/> /
/// <see cref="ConnectionFailed"/>) is sent only after the last frame was acknowledged, so a session never sees
/// "connection ended" while it is still processing the frame that said goodbye (CLOSE_TRANSPORT then FIN must read
/// as "peer closed", protocol.md step 5).
/// The sink runs in the connection's one stream graph, which exists before its session does: it tells its
/// <c>owner</c> (the <see cref="ConnectionWriter"/>) <see cref="InboundReady"/> and sends nothing until the owner
/// answers <see cref="AttachSession"/>. The owner, not this stage, then tells the session <see cref="ConnectionInit"/>
/// naming this stage: a session trusts its own writer, never a sender that only claims to be its stream (issue 18
/// item 9). The session's first acknowledgement starts the frames. Once the session stops it drops what is still read
/// until the connection ends; it stops at once when the owner stops.
/// </summary>
internal sealed class SessionSink : GraphStage<SinkShape<ByteString>>
{
    private readonly IActorRef _owner;
    private readonly int _capacity;
    private readonly Inlet<ByteString> _in = new("SessionSink.in");

    public SessionSink(IActorRef owner, int capacity)
    {
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"expected at least 1, got {capacity}");
        }

        _owner = owner;
        _capacity = capacity;
        Shape = new SinkShape<ByteString>(_in);
    }

    public override SinkShape<ByteString> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kamuneSessionSink");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InGraphStageLogic
    {
        private readonly SessionSink _stage;
        private readonly Queue<ByteString> _frames = new();
        private StageActor? _self;
        private IActorRef? _session;
        private bool _awaitingAck;
        private bool _batches;
        private bool _draining;
        private object? _end;

        public Logic(SessionSink stage)
            : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._in, this);
        }

        public override void PreStart()
        {
            // The stage outlives its inlet until the final acknowledgement arrives.
            SetKeepGoing(true);
            _self = GetStageActor(OnMessage);
            _self.Watch(_stage._owner);
            _stage._owner.Tell(InboundReady.Instance, _self.Ref);
            Pull(_stage._in);
        }

        public override void OnPush()
        {
            var frame = Grab(_stage._in);
            if (!_draining)
            {
                _frames.Enqueue(frame);
                Deliver();
            }

            PullIfRoom();
        }

        public override void OnUpstreamFinish() => End(ConnectionCompleted.Instance);

        public override void OnUpstreamFailure(Exception e) => End(new ConnectionFailed(e));

        private void OnMessage((IActorRef Sender, object Message) received)
        {
            switch (received.Message)
            {
                case AttachSession attach when _session is null && received.Sender.Equals(_stage._owner):
                    // The owner tells the session ConnectionInit after this, so the session's first ack comes after it.
                    _session = attach.Session;
                    _self!.Watch(_session);
                    _awaitingAck = true;
                    break;
                case FrameAck or FramesAck when _session is not null:
                    _awaitingAck = false;
                    _batches = received.Message is FramesAck;
                    Deliver();
                    PullIfRoom();
                    break;
                case Terminated { ActorRef: var gone } when gone.Equals(_session):
                    // The session is gone and its writer is closing the socket: read and drop what still comes, so the
                    // read side ends when the connection does (the writer waits for that) and never resets it early.
                    _draining = true;
                    _frames.Clear();
                    if (_end is not null || IsClosed(_stage._in))
                    {
                        CompleteStage();
                    }
                    else
                    {
                        PullIfRoom();
                    }

                    break;
                case Terminated:
                    // The writer is gone: it has closed or aborted the socket already.
                    CompleteStage();
                    break;
            }
        }

        private void PullIfRoom()
        {
            if (_frames.Count < _stage._capacity && !HasBeenPulled(_stage._in) && !IsClosed(_stage._in))
            {
                Pull(_stage._in);
            }
        }

        // Sends what the session may take now: the frames (one, or all with FramesAck), else the end once all went out.
        private void Deliver()
        {
            if (_awaitingAck || _session is null)
            {
                return;
            }

            if (_frames.Count == 0)
            {
                if (_end is not null)
                {
                    _session.Tell(_end, _self!.Ref);
                    CompleteStage();
                }

                return;
            }

            object message;
            if (_batches && _frames.Count > 1)
            {
                message = new FramesReceived(_frames.ToArray());
                _frames.Clear();
            }
            else
            {
                message = new FrameReceived(_frames.Dequeue());
            }

            _awaitingAck = true;
            _session.Tell(message, _self!.Ref);
        }

        private void End(object end)
        {
            if (_draining)
            {
                CompleteStage();
                return;
            }

            // Before the session is attached there is nobody to tell yet: ConnectionInit (from the owner) goes first,
            // the end after the frames already read, each acknowledged.
            _end = end;
            Deliver();
        }
    }
}

/// <summary>Session sink to its writer: the inbound side runs; answer <see cref="AttachSession"/> once the session exists.</summary>
internal sealed class InboundReady : IRuntimeMessage
{
    public static readonly InboundReady Instance = new();

    private InboundReady()
    {
    }
}

/// <summary>Writer to its session sink: deliver inbound frames to <paramref name="Session"/>.</summary>
internal sealed record AttachSession(IActorRef Session) : IRuntimeMessage;

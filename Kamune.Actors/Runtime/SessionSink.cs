using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Kamune.Actors.Runtime;

/// <summary>
/// Delivers inbound frames to the session actor under the connection contract (ConnectionMessages.cs): one
/// <see cref="FrameReceived"/> per <see cref="FrameAck"/>. Unlike Akka's <c>Sink.ActorRefWithAck</c>, the end of the
/// stream (<see cref="ConnectionCompleted"/> / <see cref="ConnectionFailed"/>) is sent only after the last frame
/// was acknowledged, so a session never sees "connection ended" while it is still processing the frame that
/// said goodbye (CLOSE_TRANSPORT then FIN must read as "peer closed", protocol.md step 5).
/// The sink runs in the connection's one stream graph, which exists before its session does: it tells its
/// <c>owner</c> (the <see cref="ConnectionWriter"/>) <see cref="InboundReady"/> and reads nothing until the owner
/// answers <see cref="AttachSession"/>. Once the session stops it drops what is still read until the connection ends;
/// it stops at once when the owner stops.
/// </summary>
internal sealed class SessionSink : GraphStage<SinkShape<ByteString>>
{
    private readonly IActorRef _owner;
    private readonly Inlet<ByteString> _in = new("SessionSink.in");

    public SessionSink(IActorRef owner)
    {
        _owner = owner;
        Shape = new SinkShape<ByteString>(_in);
    }

    public override SinkShape<ByteString> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kamuneSessionSink");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InGraphStageLogic
    {
        private readonly SessionSink _stage;
        private StageActor? _self;
        private IActorRef? _session;
        private bool _awaitingAck;
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
        }

        public override void OnPush()
        {
            var frame = Grab(_stage._in);
            if (_draining)
            {
                Pull(_stage._in);
                return;
            }

            Send(new FrameReceived(frame));
        }

        public override void OnUpstreamFinish() => End(ConnectionCompleted.Instance);

        public override void OnUpstreamFailure(Exception e) => End(new ConnectionFailed(e));

        private void OnMessage((IActorRef Sender, object Message) received)
        {
            switch (received.Message)
            {
                case AttachSession attach when _session is null:
                    _session = attach.Session;
                    _self!.Watch(_session);
                    Send(ConnectionInit.Instance);
                    break;
                case FrameAck when _session is not null:
                    _awaitingAck = false;
                    if (_end is not null)
                    {
                        Finish();
                    }
                    else if (!HasBeenPulled(_stage._in) && !IsClosed(_stage._in))
                    {
                        Pull(_stage._in);
                    }

                    break;
                case Terminated { ActorRef: var gone } when gone.Equals(_session):
                    // The session is gone and its writer is closing the socket: read and drop what still comes, so the
                    // read side ends when the connection does (the writer waits for that) and never resets it early.
                    _draining = true;
                    _awaitingAck = false;
                    if (_end is not null || IsClosed(_stage._in))
                    {
                        CompleteStage();
                    }
                    else if (!HasBeenPulled(_stage._in))
                    {
                        Pull(_stage._in);
                    }

                    break;
                case Terminated:
                    // The writer is gone: it has closed or aborted the socket already.
                    CompleteStage();
                    break;
            }
        }

        private void Send(object message)
        {
            _awaitingAck = true;
            _session!.Tell(message, _self!.Ref);
        }

        private void End(object end)
        {
            if (_draining)
            {
                CompleteStage();
                return;
            }

            _end = end;
            // Before the session is attached there is nobody to tell yet: ConnectionInit goes first, the end after its ack.
            if (!_awaitingAck && _session is not null)
            {
                Finish();
            }
        }

        private void Finish()
        {
            _session!.Tell(_end!, _self!.Ref);
            CompleteStage();
        }
    }
}

/// <summary>Session sink to its writer: the inbound side runs; answer <see cref="AttachSession"/> once the session exists.</summary>
internal sealed class InboundReady
{
    public static readonly InboundReady Instance = new();

    private InboundReady()
    {
    }
}

/// <summary>Writer to its session sink: deliver inbound frames to <paramref name="Session"/>.</summary>
internal sealed record AttachSession(IActorRef Session);

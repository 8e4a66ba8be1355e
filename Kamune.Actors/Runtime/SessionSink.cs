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
/// </summary>
internal sealed class SessionSink : GraphStage<SinkShape<ByteString>>
{
    private readonly IActorRef _session;
    private readonly Inlet<ByteString> _in = new("SessionSink.in");

    public SessionSink(IActorRef session)
    {
        _session = session;
        Shape = new SinkShape<ByteString>(_in);
    }

    public override SinkShape<ByteString> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kamuneSessionSink");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InGraphStageLogic
    {
        private readonly SessionSink _stage;
        private StageActor? _self;
        private bool _awaitingAck;
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
            _self.Watch(_stage._session);
            Send(ConnectionInit.Instance);
        }

        public override void OnPush() => Send(new FrameReceived(Grab(_stage._in)));

        public override void OnUpstreamFinish() => End(ConnectionCompleted.Instance);

        public override void OnUpstreamFailure(Exception e) => End(new ConnectionFailed(e));

        private void OnMessage((IActorRef Sender, object Message) received)
        {
            switch (received.Message)
            {
                case FrameAck:
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
                case Terminated:
                    // The session is gone: stop reading (the connection writer closes the socket).
                    CompleteStage();
                    break;
            }
        }

        private void Send(object message)
        {
            _awaitingAck = true;
            _stage._session.Tell(message, _self!.Ref);
        }

        private void End(object end)
        {
            _end = end;
            if (!_awaitingAck)
            {
                Finish();
            }
        }

        private void Finish()
        {
            _stage._session.Tell(_end!, _self!.Ref);
            CompleteStage();
        }
    }
}

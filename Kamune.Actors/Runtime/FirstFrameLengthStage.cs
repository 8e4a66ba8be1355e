using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;
using Kamune.Protocol;

namespace Kamune.Actors.Runtime;

/// <summary>
/// The stage behind <see cref="KamuneFraming.FirstFrameLength"/>: holds at most the one byte of a length prefix cut
/// in two by TCP, judges the prefix, then passes everything through untouched. After the first length it is a plain
/// pass-through: the frames after it have no size known in advance.
/// </summary>
internal sealed class FirstFrameLengthStage : GraphStage<FlowShape<ByteString, ByteString>>
{
    private readonly int _expected;
    private readonly int _maxFrameLength;
    private readonly Inlet<ByteString> _in = new("KamuneFraming.FirstFrameLength.in");
    private readonly Outlet<ByteString> _out = new("KamuneFraming.FirstFrameLength.out");

    public FirstFrameLengthStage(int expected, int maxFrameLength)
    {
        _expected = expected;
        _maxFrameLength = maxFrameLength;
        Shape = new FlowShape<ByteString, ByteString>(_in, _out);
    }

    public override FlowShape<ByteString, ByteString> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kamuneFirstFrameLength");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly FirstFrameLengthStage _stage;
        private ByteString _held = ByteString.Empty;
        private bool _checked;

        public Logic(FirstFrameLengthStage stage)
            : base(stage.Shape)
        {
            _stage = stage;
            SetHandlers(stage._in, stage._out, this);
        }

        public override void OnPush()
        {
            var chunk = Grab(_stage._in);
            if (_checked)
            {
                Push(_stage._out, chunk);
                return;
            }

            _held = _held.Concat(chunk);
            if (_held.Count < FrameCodec.HeaderSize)
            {
                Pull(_stage._in);
                return;
            }

            var declared = (_held[0] << 8) | _held[1];
            if (declared > _stage._maxFrameLength)
            {
                FailStage(FrameCodec.TooLarge(declared, _stage._maxFrameLength));
                return;
            }

            if (declared != _stage._expected)
            {
                FailStage(new KamuneProtocolException(
                    KamuneError.MalformedExchange,
                    $"Exchange first frame length: expected {_stage._expected} bytes, got {declared}."));
                return;
            }

            _checked = true;
            var all = _held;
            _held = ByteString.Empty;
            Push(_stage._out, all);
        }

        public override void OnPull() => Pull(_stage._in);

        // A stream that ends inside the first length prefix passes the byte it held on, so the frame decoder reports
        // the truncation as it reports every other one (FrameTruncated).
        public override void OnUpstreamFinish()
        {
            if (!_checked && _held.Count > 0)
            {
                Emit(_stage._out, _held, CompleteStage);
                return;
            }

            CompleteStage();
        }
    }
}

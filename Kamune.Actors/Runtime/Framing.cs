using System.Buffers.Binary;
using Akka;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;
using Kamune.Actors.Configuration;
using Kamune.Protocol;

namespace Kamune.Actors.Runtime;

/// <summary>
/// The frame layer of protocol.md layer 2: <c>uint16 big-endian length || payload</c>. Named apart from
/// Akka's <c>Framing</c>, whose length-field framing defaults to little-endian and keeps the header.
/// </summary>
public static class KamuneFraming
{
    public const int HeaderLength = 2;

    /// <summary>
    /// Cuts a TCP byte stream into frame payloads (header removed). Fails the stream with
    /// <see cref="KamuneError.FrameTooLarge"/> when a header announces more than <paramref name="maxFrameLength"/>,
    /// and with <see cref="KamuneError.FrameTruncated"/> when the stream ends inside a frame.
    /// </summary>
    public static Flow<ByteString, ByteString, NotUsed> Decoder(int maxFrameLength)
    {
        if (maxFrameLength is < 0 or > KamuneSettings.WireMaxFrameLength)
        {
            throw new ArgumentOutOfRangeException(nameof(maxFrameLength), maxFrameLength,
                $"expected 0..{KamuneSettings.WireMaxFrameLength}, got {maxFrameLength}");
        }

        return Flow.FromGraph(new DecoderStage(maxFrameLength));
    }

    /// <summary>Prepends the big-endian length to each payload; a payload over 65535 bytes fails the stream.</summary>
    public static Flow<ByteString, ByteString, NotUsed> Encoder() => Flow.Create<ByteString>().Select(Encode);

    /// <summary>One frame: header and payload. Throws for a payload the 16-bit length cannot describe.</summary>
    public static ByteString Encode(ByteString payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.Count > KamuneSettings.WireMaxFrameLength)
        {
            throw new ArgumentException(
                $"frame payload: expected at most {KamuneSettings.WireMaxFrameLength} bytes, got {payload.Count}", nameof(payload));
        }

        var header = new byte[HeaderLength];
        BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)payload.Count);
        return ByteString.FromBytes(header).Concat(payload);
    }

    private sealed class DecoderStage : GraphStage<FlowShape<ByteString, ByteString>>
    {
        private readonly int _maxFrameLength;
        private readonly Inlet<ByteString> _in = new("KamuneFraming.Decoder.in");
        private readonly Outlet<ByteString> _out = new("KamuneFraming.Decoder.out");

        public DecoderStage(int maxFrameLength)
        {
            _maxFrameLength = maxFrameLength;
            Shape = new FlowShape<ByteString, ByteString>(_in, _out);
        }

        public override FlowShape<ByteString, ByteString> Shape { get; }

        protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kamuneFrameDecoder");

        protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

        private sealed class Logic : InAndOutGraphStageLogic
        {
            private readonly DecoderStage _stage;
            private ByteString _buffer = ByteString.Empty;

            // Payload length of the frame being assembled, or -1 while its header is incomplete.
            private int _frameLength = -1;

            public Logic(DecoderStage stage)
                : base(stage.Shape)
            {
                _stage = stage;
                SetHandlers(stage._in, stage._out, this);
            }

            public override void OnPush()
            {
                _buffer = _buffer.Concat(Grab(_stage._in));
                TryPushFrame();
            }

            public override void OnPull() => TryPushFrame();

            public override void OnUpstreamFinish()
            {
                if (_buffer.IsEmpty)
                {
                    CompleteStage();
                }
                else if (IsAvailable(_stage._out))
                {
                    TryPushFrame();
                }

                // Otherwise a whole frame may still be buffered: the next pull emits it, then finishes or fails.
            }

            private void TryPushFrame()
            {
                if (_frameLength < 0 && _buffer.Count >= HeaderLength)
                {
                    // Always big-endian (protocol.md layer 2).
                    _frameLength = (_buffer[0] << 8) | _buffer[1];
                    if (_frameLength > _stage._maxFrameLength)
                    {
                        FailStage(new KamuneProtocolException(KamuneError.FrameTooLarge,
                            $"frame length: expected at most {_stage._maxFrameLength} bytes, got {_frameLength}"));
                        return;
                    }
                }

                if (_frameLength >= 0 && _buffer.Count >= HeaderLength + _frameLength)
                {
                    if (!IsAvailable(_stage._out))
                    {
                        // A whole frame waits for demand: back-pressure, no further read.
                        return;
                    }

                    var payload = _buffer.Slice(HeaderLength, _frameLength).Compact();
                    _buffer = _buffer.Slice(HeaderLength + _frameLength);
                    _frameLength = -1;
                    Push(_stage._out, payload);
                    if (_buffer.IsEmpty && IsClosed(_stage._in))
                    {
                        CompleteStage();
                    }

                    return;
                }

                if (IsClosed(_stage._in))
                {
                    var expected = _frameLength < 0 ? HeaderLength : HeaderLength + _frameLength;
                    FailStage(new KamuneProtocolException(KamuneError.FrameTruncated,
                        $"stream ended inside a frame: expected {expected} bytes, got {_buffer.Count}"));
                }
                else if (!HasBeenPulled(_stage._in))
                {
                    Pull(_stage._in);
                }
            }
        }
    }
}

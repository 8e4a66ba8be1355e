using Akka;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Stage;
using Kamune.Protocol;

namespace Kamune.Actors.Runtime;

/// <summary>
/// The frame layer of protocol.md layer 2 as Akka.Streams stages, over the pure <see cref="FrameCodec"/> and
/// <see cref="FrameDecoder"/>. Named apart from Akka's <c>Framing</c>, whose length-field framing defaults to
/// little-endian and keeps the header in the frame.
/// </summary>
internal static class KamuneFraming
{
    /// <summary>
    /// Cuts a TCP byte stream into frame payloads (header removed). Fails the stream with
    /// <see cref="KamuneError.FrameTooLarge"/> as soon as a header announces more than <paramref name="maxFrameLength"/>,
    /// and with <see cref="KamuneError.FrameTruncated"/> when the stream ends inside a frame.
    /// </summary>
    public static Flow<ByteString, ByteString, NotUsed> Decoder(int maxFrameLength)
    {
        if (maxFrameLength is < 0 or > FrameCodec.MaxPayload)
        {
            throw new ArgumentOutOfRangeException(nameof(maxFrameLength), maxFrameLength,
                $"expected 0..{FrameCodec.MaxPayload}, got {maxFrameLength}");
        }

        return Flow.FromGraph(new DecoderStage(maxFrameLength));
    }

    /// <summary>
    /// Checks the 2-byte big-endian length that opens the byte stream and passes every byte on unchanged. The first
    /// frame of the exchange has exactly one possible size on each side (protocol.md step 1: the initiator's X-Wing
    /// key, 1,216 bytes; the responder's merged message, 2,338), so any other first length fails the stream with
    /// <see cref="KamuneError.MalformedExchange"/> as soon as those two bytes are in, instead of waiting (up to
    /// handshake-timeout) for a payload that can only be refused. A length above <paramref name="maxFrameLength"/> is
    /// <see cref="KamuneError.FrameTooLarge"/>, as the frame decoder would report it.
    /// </summary>
    public static Flow<ByteString, ByteString, NotUsed> FirstFrameLength(int expected, int maxFrameLength = FrameCodec.MaxPayload)
    {
        if (expected is < 0 or > FrameCodec.MaxPayload || maxFrameLength is < 0 or > FrameCodec.MaxPayload)
        {
            throw new ArgumentOutOfRangeException(nameof(expected),
                $"expected a first length and a frame limit in 0..{FrameCodec.MaxPayload}, got {expected} and {maxFrameLength}");
        }

        return Flow.FromGraph(new FirstFrameLengthStage(expected, maxFrameLength));
    }

    /// <summary><see cref="FirstFrameLength"/> when a length is expected, else a pass-through (stand-in sessions in tests).</summary>
    internal static Flow<ByteString, ByteString, NotUsed> FirstFrameLengthOrAny(int? expected, int maxFrameLength) =>
        expected is { } length ? FirstFrameLength(length, maxFrameLength) : Flow.Create<ByteString>();

    /// <summary>Prepends the big-endian length to each payload; a payload over 65535 bytes fails the stream.</summary>
    public static Flow<ByteString, ByteString, NotUsed> Encoder() => Flow.Create<ByteString>().Select(Encode);

    /// <summary>One frame: header and payload. Throws ArgumentException for a payload the 16-bit length cannot describe.</summary>
    public static ByteString Encode(ByteString payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return ByteString.FromBytes(FrameCodec.Encode(payload.ToReadOnlySpan()));
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

        // The decoder is stateful: one per materialization.
        protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) =>
            new Logic(this, new FrameDecoder(_maxFrameLength));

        private sealed class Logic : InAndOutGraphStageLogic
        {
            private readonly DecoderStage _stage;
            private readonly FrameDecoder _decoder;

            public Logic(DecoderStage stage, FrameDecoder decoder)
                : base(stage.Shape)
            {
                _stage = stage;
                _decoder = decoder;
                SetHandlers(stage._in, stage._out, this);
            }

            public override void OnPush()
            {
                try
                {
                    _decoder.Append(Grab(_stage._in).ToReadOnlySpan());
                }
                catch (KamuneProtocolException e)
                {
                    // FrameTooLarge on the header, before its payload is waited for.
                    FailStage(e);
                    return;
                }

                TryPushFrame();
            }

            public override void OnPull() => TryPushFrame();

            // Every end of the stage, a socket reset or a cancel included, gives the decoder's pooled buffer back.
            public override void PostStop() => _decoder.Dispose();

            public override void OnUpstreamFinish() => TryPushFrame();

            private void TryPushFrame()
            {
                if (!IsAvailable(_stage._out))
                {
                    // Frames wait for demand: back-pressure, no further read.
                    return;
                }

                if (_decoder.TryReadFrame(out var payload))
                {
                    Push(_stage._out, ByteString.FromBytes(payload));
                }
                else if (!IsClosed(_stage._in))
                {
                    if (!HasBeenPulled(_stage._in))
                    {
                        Pull(_stage._in);
                    }
                }
                else
                {
                    try
                    {
                        _decoder.Complete();
                        CompleteStage();
                    }
                    catch (KamuneProtocolException e)
                    {
                        FailStage(e);
                    }
                }
            }
        }
    }
}

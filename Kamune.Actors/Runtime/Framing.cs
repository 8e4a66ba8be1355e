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

    /// <summary>The largest payload the 16-bit length field can describe.</summary>
    public const int WireMaxFrameLength = KamuneSettings.WireMaxFrameLength;

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

        // Linear in the bytes received however they are cut: a frame split over many small TCP segments is
        // assembled once into its own array (no rope of thousands of pieces), a frame inside one chunk is sliced.
        private sealed class Logic : InAndOutGraphStageLogic
        {
            private readonly DecoderStage _stage;
            private readonly byte[] _header = new byte[HeaderLength];
            private int _headerFill;
            private byte[]? _payload;
            private int _payloadFill;
            private ByteString _chunk = ByteString.Empty;
            private int _chunkOffset;

            public Logic(DecoderStage stage)
                : base(stage.Shape)
            {
                _stage = stage;
                SetHandlers(stage._in, stage._out, this);
            }

            private int Buffered => _headerFill + _payloadFill + (_chunk.Count - _chunkOffset);

            public override void OnPush()
            {
                _chunk = Grab(_stage._in);
                _chunkOffset = 0;
                TryPushFrame();
            }

            public override void OnPull() => TryPushFrame();

            public override void OnUpstreamFinish()
            {
                if (Buffered == 0)
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
                if (!IsAvailable(_stage._out))
                {
                    // Frames wait for demand: back-pressure, no further read.
                    return;
                }

                if (TryTakeFrame(out var frame))
                {
                    Push(_stage._out, frame);
                    if (Buffered == 0 && IsClosed(_stage._in))
                    {
                        CompleteStage();
                    }

                    return;
                }

                if (_headerFill == HeaderLength && _payload is null)
                {
                    return; // TryTakeFrame failed the stage on an oversized length.
                }

                if (IsClosed(_stage._in))
                {
                    var expected = _headerFill < HeaderLength ? HeaderLength : HeaderLength + _payload!.Length;
                    FailStage(new KamuneProtocolException(KamuneError.FrameTruncated,
                        $"stream ended inside a frame: expected {expected} bytes, got {Buffered}"));
                }
                else if (!HasBeenPulled(_stage._in))
                {
                    Pull(_stage._in);
                }
            }

            private bool TryTakeFrame(out ByteString frame)
            {
                frame = ByteString.Empty;
                var available = _chunk.Count - _chunkOffset;
                if (_headerFill < HeaderLength)
                {
                    var take = Math.Min(HeaderLength - _headerFill, available);
                    _chunk.Slice(_chunkOffset, take).CopyTo(_header, _headerFill, take);
                    _headerFill += take;
                    _chunkOffset += take;
                    available -= take;
                    if (_headerFill < HeaderLength)
                    {
                        return false;
                    }

                    // Always big-endian (protocol.md layer 2).
                    var length = BinaryPrimitives.ReadUInt16BigEndian(_header);
                    if (length > _stage._maxFrameLength)
                    {
                        FailStage(new KamuneProtocolException(KamuneError.FrameTooLarge,
                            $"frame length: expected at most {_stage._maxFrameLength} bytes, got {length}"));
                        return false;
                    }

                    if (available >= length)
                    {
                        // The whole payload is in this chunk: slice it, no copy.
                        frame = _chunk.Slice(_chunkOffset, length);
                        _chunkOffset += length;
                        _headerFill = 0;
                        return true;
                    }

                    _payload = new byte[length];
                    _payloadFill = 0;
                }

                var copy = Math.Min(_payload!.Length - _payloadFill, available);
                _chunk.Slice(_chunkOffset, copy).CopyTo(_payload, _payloadFill, copy);
                _payloadFill += copy;
                _chunkOffset += copy;
                if (_payloadFill < _payload.Length)
                {
                    return false;
                }

                frame = ByteString.FromBytes(_payload);
                _payload = null;
                _payloadFill = 0;
                _headerFill = 0;
                return true;
            }
        }
    }
}

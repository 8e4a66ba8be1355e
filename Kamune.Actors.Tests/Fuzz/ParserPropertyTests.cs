using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Protocol;
using Kamune.Wire;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;

namespace Kamune.Tests.Fuzz;

/// <summary>
/// FsCheck properties over the network parsers (issue 6, part 1): random bytes and random chunkings
/// against every target's oracle, and structure-aware generators of VALID messages that must round-trip.
/// Runs are seeded (KAMUNE_FUZZ_SEED) and sized by KAMUNE_FUZZ_ITERATIONS, like the mutation loop.
/// </summary>
[Collection(FuzzCollection.Name)]
public class ParserPropertyTests(ITestOutputHelper output)
{
    private static readonly int[] InterestingLengths = [0, 1, 2, 23, 24, 39, 40, 43, 44, 45, 64, 1087, 1088, 1120, 1184, 1216, 2338, 4096];

    private static Config Config => Config.QuickThrowOnFailure
        .WithMaxTest(FuzzSettings.PropertyCases)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd((ulong)FuzzSettings.Seed, 0x9e3779b97f4a7c15UL), FSharpOption<int>.None)));

    /// <summary>Random bytes with lengths biased towards the sizes the parsers check, up to one frame.</summary>
    private static Arbitrary<byte[]> NetworkBytes
    {
        get
        {
            var length = Gen.Frequency(
                (4, Gen.Choose(0, 64)),
                (3, Gen.Elements(InterestingLengths).SelectMany(n => Gen.Choose(-1, 1).Select(d => Math.Max(0, n + d)))),
                (2, Gen.Choose(0, 4096)),
                (1, Gen.Choose(0, FuzzSettings.MaxInput)));
            var bytes = from n in length
                        from seed in Gen.Choose(int.MinValue, int.MaxValue)
                        select Fill(n, seed);
            return Arb.From(bytes, input => input.Length == 0 ? [] : new[] { input[..(input.Length / 2)], input[1..] });
        }
    }

    /// <summary>Chunk sizes a TCP read loop might see: mostly tiny, sometimes large.</summary>
    private static Arbitrary<int[]> Chunkings =>
        Arb.From(Gen.NonEmptyListOf(Gen.Frequency((3, Gen.Choose(1, 4)), (2, Gen.Choose(1, 300)), (1, Gen.Choose(1, 20000)))).Select(l => l.ToArray()));

    [Theory]
    [MemberData(nameof(FuzzTargets.Names), MemberType = typeof(FuzzTargets))]
    public void Random_bytes_end_in_a_value_or_a_typed_error(string name)
    {
        var target = FuzzTargets.Get(name);
        var tally = new FuzzTally();
        Check.One(Config, Prop.ForAll(NetworkBytes, input => tally.Add(FuzzOracle.Check(target, input))));
        output.WriteLine($"{name}: {tally}");
    }

    [Fact]
    public void Any_chunking_of_a_captured_stream_yields_exactly_the_captured_frames()
    {
        var session = CapturedSession.Instance;
        Check.One(Config, Prop.ForAll(Chunkings, cuts =>
            Decode(session.InitiatorStream, cuts, FrameCodec.MaxPayload).SequenceEqual(session.InitiatorFrames, ByteArrayComparer.Instance)));
    }

    [Fact]
    public void Any_bytes_in_any_chunking_decode_to_frames_that_re_encode_to_them_or_fail_typed_the_same_way()
    {
        Check.One(Config, Prop.ForAll(NetworkBytes, Chunkings, (input, cuts) =>
        {
            var whole = Outcome(() => Decode(input, [input.Length + 1], FrameCodec.MaxPayload));
            var chunked = Outcome(() => Decode(input, cuts, FrameCodec.MaxPayload));
            if (whole.Frames is null)
            {
                // FrameTooLarge cannot happen at the maximum limit: only a stream cut short fails.
                return whole.Error == KamuneError.FrameTruncated && chunked.Error == KamuneError.FrameTruncated;
            }

            return chunked.Frames is not null
                && whole.Frames.SequenceEqual(chunked.Frames, ByteArrayComparer.Instance)
                && whole.Frames.SelectMany(f => FrameCodec.Encode(f)).SequenceEqual(input);
        }));
    }

    [Fact]
    public void Valid_session_messages_of_any_route_and_size_round_trip_through_every_layer()
    {
        var session = CapturedSession.Instance;
        using var signer = session.InitiatorSigner();
        using var sealer = new SessionSealer(session.KeyClientToServer, new DeterministicRandomSource(5));
        using var opener = new SessionOpener(session.KeyClientToServer);
        var random = new DeterministicRandomSource(6);
        var routes = System.Enum.GetValues<Route>().Where(r => r != Route.Invalid).ToArray();
        var messages =
            from route in Gen.Elements(routes)
            from sequence in Gen.Choose(0, int.MaxValue).Select(n => (ulong)n * 3)
            from seconds in Gen.Choose(0, int.MaxValue)
            from size in Gen.Frequency((3, Gen.Choose(0, 600)), (1, Gen.Choose(0, Envelope.MaxMessageSize - 4)))
            from seed in Gen.Choose(int.MinValue, int.MaxValue)
            select (route, sequence, seconds, Value: Fill(size, seed));

        Check.One(Config, Prop.ForAll(Arb.From(messages), m =>
        {
            var metadata = new Metadata
            {
                ID = MetadataFactory.RandomId(random),
                Timestamp = new Timestamp { Seconds = m.seconds },
                Sequence = m.sequence,
                Route = m.route,
            };
            var inner = new BytesValue { Value = ByteString.CopyFrom(m.Value) }.ToByteArray();
            var frame = FrameCodec.Encode(sealer.Seal(Envelope.Encode(signer, inner, metadata, random)));

            var received = FuzzTargets.DecodeStream(frame, FrameCodec.MaxPayload).Single();
            var verified = Envelope.Open(opener.Open(received), session.InitiatorIdentity);
            var value = FuzzTargets.ParseInner(BytesValue.Parser, ByteString.CopyFrom(verified.Data.Span), "BytesValue");
            return verified.Metadata.Equals(metadata) && value.Value.Span.SequenceEqual(m.Value);
        }));
    }

    [Fact]
    public void Handshake_validation_accepts_exactly_the_well_formed_fields()
    {
        const string alphabet = SessionId.Alphabet;
        var fields =
            from saltLength in Gen.Frequency((3, Gen.Constant(16)), (1, Gen.Choose(0, 40)))
            from keyLength in Gen.Frequency((3, Gen.Constant(1184)), (1, Gen.Elements(0, 1088, 1183, 1185, 2368)))
            from keyChars in Gen.Frequency((3, Gen.Choose(12, 12)), (1, Gen.Choose(0, 30)))
            from chars in Gen.ArrayOf(Gen.Frequency((9, Gen.Elements(alphabet.ToCharArray())), (1, Gen.Elements('a', '0', '1', '8', '=', '\0', 'é'))), keyChars)
            select new Kamune.Wire.Handshake
            {
                Salt = ByteString.CopyFrom(new byte[saltLength]),
                Key = ByteString.CopyFrom(new byte[keyLength]),
                SessionKey = new string(chars),
            };

        Check.One(Config, Prop.ForAll(Arb.From(fields), handshake =>
        {
            var wellFormed = handshake.Salt.Length == 16 && handshake.Key.Length == 1184
                && handshake.SessionKey.Length == 12 && handshake.SessionKey.All(alphabet.Contains);
            try
            {
                HandshakeValidation.ValidateRequest(handshake);
                return wellFormed;
            }
            catch (KamuneProtocolException e)
            {
                return !wellFormed && e.Error == KamuneError.InvalidHandshake;
            }
        }));
    }

    [Fact]
    public void A_refused_forged_tunnel_frame_leaves_the_tunnel_able_to_open_the_genuine_one()
    {
        // No silent loss: forged input must not consume the HPKE sequence number of the real next frame.
        var session = CapturedSession.Instance;
        var genuine = session.TunnelFramesFromInitiator[0];
        using var tunnel = session.ResponderTunnel();
        Check.One(Config, Prop.ForAll(NetworkBytes, forged =>
        {
            var refused = Outcome(() => [tunnel.Open(forged)]);
            return refused.Error == KamuneError.TunnelOpenFailed || forged.AsSpan().SequenceEqual(genuine);
        }));
        Assert.Equal(session.IntroduceI.Length, FuzzTargets.ParseInner(SignedTransport.Parser, ByteString.CopyFrom(tunnel.Open(genuine)), "SignedTransport").Data.Length);
    }

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public bool ProtocolVersion_check_never_throws_and_accepts_only_0_7_x(string? text)
    {
        var verdict = ProtocolVersion.Check(text, ProtocolVersion.Current);
        var parts = text?.Split('.') ?? [];
        var expected = parts.Length == 3 && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit) && int.TryParse(p, out _))
            && int.Parse(parts[0]) == 0 && int.Parse(parts[1]) == 7;
        return verdict.IsAccepted == expected;
    }

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public bool FromPkix_and_TryFromPkix_agree_on_any_bytes(byte[] der)
    {
        var tried = PublicIdentity.TryFromPkix(der, out var identity);
        try
        {
            var parsed = PublicIdentity.FromPkix(der);
            return tried && parsed.Equals(identity);
        }
        catch (KamuneProtocolException e)
        {
            return !tried && e.Error == KamuneError.InvalidPublicKey;
        }
    }

    // The chunk sizes repeat until the stream is used up.
    private static List<byte[]> Decode(byte[] stream, int[] cuts, int limit) =>
        FuzzTargets.DecodeInChunks(stream, Enumerable.Repeat(cuts, int.MaxValue).SelectMany(c => c), limit);

    private static (List<byte[]>? Frames, KamuneError? Error) Outcome(Func<List<byte[]>> run)
    {
        try
        {
            return (run(), null);
        }
        catch (KamuneProtocolException e)
        {
            return (null, e.Error);
        }
    }

    private static byte[] Fill(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}

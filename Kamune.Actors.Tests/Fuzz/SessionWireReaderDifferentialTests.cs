using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Wire;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;

namespace Kamune.Tests.Fuzz;

/// <summary>
/// The span readers of the per-message path against the Google.Protobuf parsers they replace: for random,
/// protobuf-shaped (<see cref="ProtoShaper"/>) and mutated (<see cref="Mutator"/>) inputs, both must give the same
/// verdict (accepted, or refused with the same <see cref="KamuneError"/> kind) and the same fields. The end-to-end
/// property signs what it builds, so the Metadata and BytesValue readers are reached behind a valid signature.
/// Seeds and case counts come from <see cref="FuzzSettings"/> (KAMUNE_FUZZ_SEED, KAMUNE_FUZZ_ITERATIONS).
/// </summary>
[Collection(FuzzCollection.Name)]
public class SessionWireReaderDifferentialTests(ITestOutputHelper output)
{
    private static readonly ShapeField[] SignedTransportSchema =
    [
        new(1, 2, r => ProtoShaper.LengthDelimited(r, ProtoShaper.RandomBytes(r))),
        new(2, 2, r => ProtoShaper.LengthDelimited(r, ProtoShaper.RandomBytes(r))),
        new(3, 2, r => ProtoShaper.LengthDelimited(r, ProtoShaper.RandomBytes(r))),
        new(4, 2, r => ProtoShaper.LengthDelimited(r, ProtoShaper.RandomBytes(r))),
    ];

    private static readonly ShapeField[] TimestampSchema =
    [
        new(1, 0, ProtoShaper.InterestingVarint),
        new(2, 0, ProtoShaper.InterestingVarint),
    ];

    private static readonly ShapeField[] MetadataSchema =
    [
        new(1, 2, r => ProtoShaper.LengthDelimited(r, ProtoShaper.StringBytes(r))),
        new(2, 2, r => ProtoShaper.LengthDelimited(r, ProtoShaper.Message(r, TimestampSchema, malformedPercent: 3))),
        new(3, 0, ProtoShaper.InterestingVarint),
        new(4, 0, r => r.Next(3) == 0 ? ProtoShaper.InterestingVarint(r) : ProtoShaper.Varint((ulong)r.Next(15))),
    ];

    private static readonly ShapeField[] BytesValueSchema =
    [
        new(1, 2, r => ProtoShaper.LengthDelimited(r, ProtoShaper.RandomBytes(r))),
    ];

    private static Config Config => Config.QuickThrowOnFailure
        .WithMaxTest(FuzzSettings.PropertyCases)
        .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd((ulong)FuzzSettings.Seed, 0x2545f4914f6cdd1dUL), FSharpOption<int>.None)));

    private static Arbitrary<int> Seeds => Arb.From(Gen.Choose(int.MinValue, int.MaxValue));

    public static TheoryData<string> Readers => new() { "SignedTransport", "Metadata", "BytesValue" };

    [Theory]
    [MemberData(nameof(Readers))]
    public void Protobuf_shaped_inputs_get_the_same_verdict_and_fields_from_both_readers(string reader)
    {
        var (schema, compare) = Target(reader);
        var tally = new FuzzTally();
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var input = ProtoShaper.Message(new Random(seed), schema);
            return Agrees(tally, compare(input), input);
        }));
        output.WriteLine($"{reader}: {tally}");
        AssertBothVerdictsSeen(tally);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Random_bytes_get_the_same_verdict_from_both_readers(string reader)
    {
        var (_, compare) = Target(reader);
        var tally = new FuzzTally();
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var random = new Random(seed);
            var input = new byte[random.Next(3) == 0 ? random.Next(4) : random.Next(200)];
            random.NextBytes(input);
            return Agrees(tally, compare(input), input);
        }));
        output.WriteLine($"{reader}: {tally}");
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Mutated_captured_inputs_get_the_same_verdict_and_fields_from_both_readers(string reader)
    {
        var (_, compare) = Target(reader);
        var session = CapturedSession.Instance;
        var corpus = reader switch
        {
            "SignedTransport" => session.Envelopes,
            "Metadata" => session.Metadata,
            _ => session.BytesValues,
        };
        var mutator = new Mutator(FuzzSettings.Seed ^ reader.Length);
        var tally = new FuzzTally();
        for (var i = 0; i < FuzzSettings.MutationCases; i++)
        {
            var input = mutator.Next(corpus);
            Assert.True(Agrees(tally, compare(input), input));
        }

        output.WriteLine($"{reader}: {tally}");
        AssertBothVerdictsSeen(tally);
    }

    [Fact]
    public void Signed_protobuf_shaped_transports_open_to_the_same_message_or_error_as_the_protobuf_pipeline()
    {
        var session = CapturedSession.Instance;
        using var signer = session.InitiatorSigner();
        var tally = new FuzzTally();
        Check.One(Config, Prop.ForAll(Seeds, seed =>
        {
            var random = new Random(seed);
            var metadata = random.Next(4) == 0 ? session.Metadata[random.Next(session.Metadata.Count)] : ProtoShaper.Message(random, MetadataSchema, 3);
            var data = random.Next(4) == 0 ? session.BytesValues[random.Next(session.BytesValues.Count)] : ProtoShaper.Message(random, BytesValueSchema, 3);
            var input = SignedShape(random, signer, metadata, data);
            return Agrees(tally, CompareOpen(input, session.InitiatorIdentity), input);
        }));
        output.WriteLine(tally.ToString());
        AssertBothVerdictsSeen(tally);
    }

    [Fact]
    public void Mutated_re_signed_metadata_and_payloads_open_to_the_same_message_or_error_as_the_protobuf_pipeline()
    {
        var session = CapturedSession.Instance;
        using var signer = session.InitiatorSigner();
        var metadataMutator = new Mutator(FuzzSettings.Seed ^ 0x4d);
        var dataMutator = new Mutator(FuzzSettings.Seed ^ 0x44);
        var envelopeMutator = new Mutator(FuzzSettings.Seed ^ 0x45);
        var random = new Random(FuzzSettings.Seed);
        var tally = new FuzzTally();
        for (var i = 0; i < FuzzSettings.MutationCases; i++)
        {
            var input = (i % 3) switch
            {
                0 => SignedShape(random, signer, metadataMutator.Next(session.Metadata), session.BytesValues[i % session.BytesValues.Count]),
                1 => SignedShape(random, signer, session.Metadata[i % session.Metadata.Count], dataMutator.Next(session.BytesValues)),
                _ => envelopeMutator.Next(session.EnvelopesFromInitiator),
            };
            Assert.True(Agrees(tally, CompareOpen(input, session.InitiatorIdentity), input));
        }

        output.WriteLine(tally.ToString());
        AssertBothVerdictsSeen(tally);
    }

    private static (ShapeField[] Schema, Func<byte[], Verdicts> Compare) Target(string reader) => reader switch
    {
        "SignedTransport" => (SignedTransportSchema, input => CompareSignedTransport(input)),
        "Metadata" => (MetadataSchema, input => CompareMetadata(input)),
        "BytesValue" => (BytesValueSchema, input => CompareBytesValue(input)),
        _ => throw new ArgumentOutOfRangeException(nameof(reader), reader, "expected SignedTransport, Metadata or BytesValue"),
    };

    private static void AssertBothVerdictsSeen(FuzzTally tally)
    {
        // Without both, the comparison would hold vacuously.
        Assert.True(tally.Accepted > 0, $"expected some accepted inputs, got {tally}");
        Assert.True(tally.Accepted < tally.Cases, $"expected some refused inputs, got {tally}");
    }

    // A SignedTransport around a correctly signed (metadata, data): decoys of the known fields first (the last
    // occurrence wins), the real fields in any order, unknown fields between, sometimes a broken signature or a
    // malformed piece.
    private static byte[] SignedShape(Random random, IdentityKeyPair signer, byte[] metadata, byte[] data)
    {
        var signature = signer.Sign(Envelope.SigningInput(metadata, data));
        if (random.Next(10) == 0)
        {
            signature[random.Next(signature.Length)] ^= (byte)(1 << random.Next(8));
        }

        var output = new List<byte>(ProtoShaper.Message(random, SignedTransportSchema, malformedPercent: 2));
        byte[] Field(byte tag, byte[] value) => [tag, .. ProtoShaper.LengthDelimited(random, value)];
        List<byte[]> fields = [Field(0x0a, data), Field(0x12, signature), Field(0x1a, metadata)];
        if (random.Next(2) == 0)
        {
            fields.Add(Field(0x22, ProtoShaper.RandomBytes(random)));
        }

        foreach (var field in fields.OrderBy(_ => random.Next()))
        {
            output.AddRange(field);
            if (random.Next(4) == 0)
            {
                output.AddRange(ProtoShaper.Message(random, [], malformedPercent: 3));
            }
        }

        return [.. output];
    }

    private static Verdicts CompareSignedTransport(byte[] input)
    {
        var old = Run(() =>
        {
            var parsed = SignedTransport.Parser.ParseFrom(input);
            return Fields(parsed.Data.ToByteArray(), parsed.Signature.ToByteArray(), parsed.Metadata.ToByteArray(), parsed.Padding.ToByteArray());
        });
        var span = Run(() =>
        {
            var view = SessionWireReader.ReadSignedTransport(input);
            return Fields(view.Data.ToArray(), view.Signature.ToArray(), view.Metadata.ToArray(), view.Padding.ToArray());
        });
        return new Verdicts(old, span);
    }

    private static Verdicts CompareMetadata(byte[] input)
    {
        var old = Run(() =>
        {
            var parsed = Metadata.Parser.ParseFrom(input);
            return Fields(Encoding.UTF8.GetBytes(parsed.ID), parsed.Timestamp is null ? [] : [1], Int64(parsed.Timestamp?.Seconds ?? 0),
                Int64(parsed.Timestamp?.Nanos ?? 0), Int64((long)parsed.Sequence), Int64((int)parsed.Route));
        });
        var span = Run(() =>
        {
            var view = SessionWireReader.ReadMetadata(input);
            return Fields(view.Id.ToArray(), view.HasTimestamp ? [1] : [], Int64(view.Seconds), Int64(view.Nanos), Int64((long)view.Sequence), Int64((int)view.Route));
        });
        return new Verdicts(old, span);
    }

    private static Verdicts CompareBytesValue(byte[] input) => new(
        Run(() => Fields(BytesValue.Parser.ParseFrom(input).Value.ToByteArray())),
        Run(() => Fields(SessionWireReader.ReadBytesValue(input, Route.Ping).ToArray())));

    private static Verdicts CompareOpen(byte[] input, PublicIdentity identity) => new(
        Run(() => ProtobufPipeline(input, identity)),
        Run(() =>
        {
            var message = SessionTransport.Read(input, identity);
            return Fields(Int64((int)message.Route), Int64((long)message.Sequence), Int64(message.Timestamp.UtcTicks), message.Value.ToArray());
        }));

    // The receive path as it was: Google.Protobuf for SignedTransport, Metadata and BytesValue, Enum.IsDefined for
    // the route, Timestamp.ToDateTimeOffset after the range check (protocol.md layer 5 order).
    private static List<byte[]> ProtobufPipeline(byte[] input, PublicIdentity identity)
    {
        var transport = SignedTransport.Parser.ParseFrom(input);
        if (transport.Signature.Length != PublicIdentity.SignatureLength
            || !identity.Verify(Envelope.SigningInput(transport.Metadata.Span, transport.Data.Span), transport.Signature.Span))
        {
            throw new KamuneProtocolException(KamuneError.InvalidSignature, "signature");
        }

        var metadata = Metadata.Parser.ParseFrom(transport.Metadata);
        if (metadata.Route == Route.Invalid || !System.Enum.IsDefined(metadata.Route))
        {
            throw new KamuneProtocolException(KamuneError.InvalidRoute, "route");
        }

        var value = BytesValue.Parser.ParseFrom(transport.Data);
        var timestamp = DateTimeOffset.UnixEpoch;
        if (metadata.Timestamp is { } sent)
        {
            if (sent.Nanos is < 0 or > 999_999_999
                || sent.Seconds < Timestamp.FromDateTimeOffset(DateTimeOffset.MinValue).Seconds + 1
                || sent.Seconds > Timestamp.FromDateTimeOffset(DateTimeOffset.MaxValue).Seconds - 1)
            {
                throw new KamuneProtocolException(KamuneError.MalformedMessage, "timestamp");
            }

            timestamp = sent.ToDateTimeOffset();
        }

        return Fields(Int64((int)metadata.Route), Int64((long)metadata.Sequence), Int64(timestamp.UtcTicks), value.Value.ToByteArray());
    }

    // Counts the protobuf verdict; on disagreement fails with both verdicts and the input as hex.
    private static bool Agrees(FuzzTally tally, Verdicts verdicts, byte[] input)
    {
        if (!verdicts.Agree)
        {
            Assert.Fail(
                $"expected the span reader to agree with Google.Protobuf, got {verdicts.Protobuf} vs {verdicts.Span}\n" +
                $"input ({input.Length} bytes): {Convert.ToHexStringLower(input)}");
        }

        tally.Add(verdicts.Protobuf.Error);
        return true;
    }

    private static Outcome Run(Func<List<byte[]>> read)
    {
        try
        {
            return new Outcome(null, read());
        }
        catch (InvalidProtocolBufferException)
        {
            return new Outcome(KamuneError.MalformedMessage, null);
        }
        catch (KamuneProtocolException e)
        {
            return new Outcome(e.Error, null);
        }
    }

    private static List<byte[]> Fields(params byte[][] fields) => [.. fields];

    private static byte[] Int64(long value) => BitConverter.GetBytes(value);

    private sealed record Outcome(KamuneError? Error, List<byte[]>? Fields)
    {
        public override string ToString() =>
            Error is { } error ? error.ToString() : $"accepted [{string.Join(", ", Fields!.Select(Convert.ToHexStringLower))}]";
    }

    private sealed record Verdicts(Outcome Protobuf, Outcome Span)
    {
        public bool Agree =>
            Protobuf.Error == Span.Error
            && (Protobuf.Fields is null) == (Span.Fields is null)
            && (Protobuf.Fields is null || Protobuf.Fields.Zip(Span.Fields!).All(p => p.First.AsSpan().SequenceEqual(p.Second)));
    }
}

using Google.Protobuf;
using Kamune.Protocol;
using Kamune.Wire;
using Kamune.Tests.Support;

namespace Kamune.Tests.Protocol;

public class MetadataFactoryTests
{
    private static readonly ManualClock Clock = new(DateTimeOffset.FromUnixTimeSeconds(1767225600).AddTicks(1234567));

    [Fact]
    public void Introduce_metadata_carries_only_timestamp_and_identity_route()
    {
        var metadata = MetadataFactory.Introduce(Clock);
        Assert.Equal(string.Empty, metadata.ID);
        Assert.Equal(0UL, metadata.Sequence);
        Assert.Equal(Route.Identity, metadata.Route);
        Assert.Equal(1767225600, metadata.Timestamp.Seconds);
        Assert.Equal(123456700, metadata.Timestamp.Nanos);
    }

    [Fact]
    public void Handshake_metadata_has_an_id_and_sequence_zero()
    {
        var metadata = MetadataFactory.Handshake(Route.RequestHandshake, Clock, new DeterministicRandomSource(1));
        Assert.Equal(MetadataFactory.IdLength, metadata.ID.Length);
        Assert.Equal(0UL, metadata.Sequence);
        Assert.Equal(Route.RequestHandshake, metadata.Route);
        Assert.NotNull(metadata.Timestamp);
    }

    [Fact]
    public void Resume_metadata_serializes_to_the_route_alone()
    {
        var metadata = MetadataFactory.Resume(Route.ResumeRequest);
        Assert.Equal(new Metadata { Route = Route.ResumeRequest }.ToByteArray(), metadata.ToByteArray());
    }

    [Fact]
    public void Session_metadata_has_all_four_fields()
    {
        var metadata = MetadataFactory.Session(Route.ExchangeMessages, 12, Clock, new DeterministicRandomSource(1));
        Assert.Equal(12UL, metadata.Sequence);
        Assert.Equal(Route.ExchangeMessages, metadata.Route);
        Assert.Equal(MetadataFactory.IdLength, metadata.ID.Length);
    }

    [Fact]
    public void Random_id_is_26_base32_characters_one_per_byte_mod_32()
    {
        var bytes = Enumerable.Range(0, 26).Select(i => (byte)(i * 37 + 5)).ToArray();
        var id = MetadataFactory.RandomId(ScriptedRandomSource.ThenZeros(bytes));
        Assert.Equal(26, id.Length);
        for (var i = 0; i < id.Length; i++)
        {
            Assert.Equal("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[bytes[i] % 32], id[i]);
        }
    }
}

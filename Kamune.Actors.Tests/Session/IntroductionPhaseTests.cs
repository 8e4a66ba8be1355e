using Google.Protobuf;
using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Tests.Vectors;
using Kamune.Wire;

namespace Kamune.Tests.Session;

public sealed class IntroductionPhaseTests
{
    private static byte[] Signed(IdentityKeyPair signer, Introduce introduce, Metadata metadata, PureSession s) =>
        Envelope.Encode(signer, introduce.ToByteArray(), metadata, s.InitiatorRandom);

    private static Introduce IntroduceOf(IdentityKeyPair key, string name = "alice", string version = "0.7.0") => new()
    {
        Name = name,
        PublicKey = ByteString.CopyFrom(key.PublicIdentity.Pkix.Span),
        AppVersion = version,
    };

    [Fact]
    public void ReadIntroduce_accepts_the_Go_reference_Introduce()
    {
        var vector = VectorFile.GoReference.GetProperty("protobuf").GetProperty("introduce");
        var fields = vector.GetProperty("fields");
        var read = IntroductionPhase.ReadIntroduce(VectorFile.Hex(vector.GetProperty("signed_transport_padded_zero_bump0")), ProtocolVersion.Current);
        Assert.Equal(fields.GetProperty("Name").GetString(), read.Name);
        Assert.Equal(fields.GetProperty("AppVersion").GetString(), read.AppVersion);
        Assert.Equal(VectorFile.Hex(fields.GetProperty("PublicKey")), read.Identity.Pkix.ToArray());
    }

    [Fact]
    public void ReadIntroduce_rejects_an_Introduce_signed_by_a_key_other_than_the_one_inside()
    {
        using var s = new PureSession();
        var bytes = Signed(s.ResponderKey, IntroduceOf(s.InitiatorKey), MetadataFactory.Introduce(s.Clock), s);
        var e = Assert.Throws<KamuneProtocolException>(() => IntroductionPhase.ReadIntroduce(bytes, ProtocolVersion.Current));
        Assert.Equal(KamuneError.InvalidSignature, e.Error);
    }

    [Fact]
    public void ReadIntroduce_rejects_an_Introduce_on_another_route()
    {
        using var s = new PureSession();
        var bytes = Signed(s.InitiatorKey, IntroduceOf(s.InitiatorKey), MetadataFactory.Session(Route.Ping, 1, s.Clock, s.InitiatorRandom), s);
        var e = Assert.Throws<KamuneProtocolException>(() => IntroductionPhase.ReadIntroduce(bytes, ProtocolVersion.Current));
        Assert.Equal(KamuneError.UnexpectedRoute, e.Error);
        Assert.Contains("expected route Identity, got Ping", e.Message);
    }

    [Theory]
    [InlineData("0.8.0")]
    [InlineData("1.7.0")]
    [InlineData("0.7")]
    public void ReadIntroduce_rejects_an_incompatible_version(string version)
    {
        using var s = new PureSession();
        var bytes = Signed(s.InitiatorKey, IntroduceOf(s.InitiatorKey, version: version), MetadataFactory.Introduce(s.Clock), s);
        var e = Assert.Throws<KamuneProtocolException>(() => IntroductionPhase.ReadIntroduce(bytes, ProtocolVersion.Current));
        Assert.Equal(KamuneError.IncompatibleVersion, e.Error);
    }

    [Fact]
    public void ReadIntroduce_rejects_a_public_key_that_is_not_Ed25519_PKIX()
    {
        using var s = new PureSession();
        var introduce = IntroduceOf(s.InitiatorKey);
        introduce.PublicKey = ByteString.CopyFrom(new byte[44]);
        var bytes = Signed(s.InitiatorKey, introduce, MetadataFactory.Introduce(s.Clock), s);
        var e = Assert.Throws<KamuneProtocolException>(() => IntroductionPhase.ReadIntroduce(bytes, ProtocolVersion.Current));
        Assert.Equal(KamuneError.InvalidPublicKey, e.Error);
    }

    [Fact]
    public void ReadIntroduce_rejects_a_name_with_control_characters_as_InvalidName()
    {
        using var s = new PureSession();
        var bytes = Signed(s.InitiatorKey, IntroduceOf(s.InitiatorKey, name: "mallory\u001b[2J"), MetadataFactory.Introduce(s.Clock), s);
        var e = Assert.Throws<KamuneProtocolException>(() => IntroductionPhase.ReadIntroduce(bytes, ProtocolVersion.Current));
        Assert.Equal(KamuneError.InvalidName, e.Error);
    }

    [Fact]
    public void ReadIntroduce_refuses_another_keys_fingerprint_as_the_name()
    {
        using var s = new PureSession();
        var victim = s.ResponderKey.PublicIdentity.Fingerprint.Base64;
        var bytes = Signed(s.InitiatorKey, IntroduceOf(s.InitiatorKey, name: victim), MetadataFactory.Introduce(s.Clock), s);
        var e = Assert.Throws<KamuneProtocolException>(() => IntroductionPhase.ReadIntroduce(bytes, ProtocolVersion.Current));
        Assert.Equal(KamuneError.InvalidName, e.Error);
    }

    [Fact]
    public void ReadIntroduce_returns_a_composed_name_as_sent()
    {
        using var s = new PureSession();
        var bytes = Signed(s.InitiatorKey, IntroduceOf(s.InitiatorKey, name: "Jos\u00e9 \ud83d\udc19"), MetadataFactory.Introduce(s.Clock), s);
        Assert.Equal("Jos\u00e9 \ud83d\udc19", IntroductionPhase.ReadIntroduce(bytes, ProtocolVersion.Current).Name);
    }

    [Fact]
    public void ReadIntroduce_names_an_unnamed_peer_by_its_fingerprint()
    {
        using var s = new PureSession();
        var bytes = Signed(s.InitiatorKey, IntroduceOf(s.InitiatorKey, name: ""), MetadataFactory.Introduce(s.Clock), s);
        Assert.Equal(s.InitiatorKey.PublicIdentity.DefaultName, IntroductionPhase.ReadIntroduce(bytes, ProtocolVersion.Current).Name);
    }

    [Fact]
    public void CreateIntroduce_sends_Timestamp_and_Route_only()
    {
        using var s = new PureSession();
        var bytes = IntroductionPhase.CreateIntroduce(s.InitiatorKey, "alice", "0.7.0", s.Clock, s.InitiatorRandom);
        var verified = Envelope.Open(bytes, s.InitiatorKey.PublicIdentity);
        Assert.Equal(Route.Identity, verified.Route);
        Assert.Equal(string.Empty, verified.Metadata.ID);
        Assert.Equal(0UL, verified.Sequence);
        Assert.Equal(PureSession.Start, verified.Metadata.Timestamp.ToDateTimeOffset());
    }
}

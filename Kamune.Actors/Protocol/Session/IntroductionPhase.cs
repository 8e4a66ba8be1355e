using Google.Protobuf;
using Kamune.Wire;

namespace Kamune.Protocol.Session;

/// <summary>What a verified remote Introduce says: the key that signed it, its name and its protocol version.</summary>
internal sealed record RemoteIntroduction(PublicIdentity Identity, string Name, string AppVersion, VersionVerdict Version);

/// <summary>
/// Introduction (protocol.md "Flow" step 2), inside the exchange tunnel:
/// 1. I sends SignedTransport{Introduce}; Metadata carries only Timestamp and Route = IDENTITY.
/// 2. R verifies it with the key it carries, checks the version, runs its verifier, then answers the same way.
/// 3. I verifies R's Introduce likewise.
/// The verifier is the caller's business (it is asynchronous); everything else is here.
/// </summary>
internal static class IntroductionPhase
{
    /// <summary>Names longer than this are refused (<see cref="PeerName"/> has the other rules): they reach logs and UIs.</summary>
    public const int MaxNameLength = PeerName.MaxLength;

    public static byte[] CreateIntroduce(IdentityKeyPair local, string name, string appVersion, IClock clock, IRandomSource random)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(appVersion);
        var introduce = new Introduce
        {
            Name = name,
            PublicKey = ByteString.CopyFrom(local.PublicIdentity.Pkix.Span),
            AppVersion = appVersion,
        };
        return Envelope.Encode(local, introduce.ToByteArray(), MetadataFactory.Introduce(clock), random);
    }

    /// <summary>
    /// Verifies a remote Introduce (the tunnel already opened it): the signature by the key inside it, the route,
    /// the name (<see cref="PeerName"/>, returned normalised) and the version policy against <paramref name="local"/>. An empty name becomes the key's default
    /// name, as the Go reference names unnamed peers by fingerprint.
    /// </summary>
    public static RemoteIntroduction ReadIntroduce(ReadOnlySpan<byte> signedTransport, ProtocolVersion local)
    {
        var transport = Envelope.Parse(signedTransport);
        var introduce = InnerMessage.Parse(Introduce.Parser, transport.Data.Memory, "Introduce");
        var identity = PublicIdentity.FromPkix(introduce.PublicKey.Span);

        // The signature is checked before the Metadata (and so the route) is decoded (protocol.md layer 5).
        var verified = Envelope.Verify(transport, identity);
        RoutePolicy.Expect(Route.Identity, verified.Route, SessionPhase.Introduction);

        // Checked against the key that signed it: a name may show its own fingerprint, never another key's.
        var name = PeerName.Validate(introduce.Name.Length == 0 ? identity.DefaultName : introduce.Name, identity);

        var version = ProtocolVersion.Check(introduce.AppVersion, local);
        version.ThrowIfRejected();
        return new RemoteIntroduction(identity, name, introduce.AppVersion, version);
    }
}

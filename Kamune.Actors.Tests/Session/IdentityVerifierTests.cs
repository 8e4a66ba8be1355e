namespace Kamune.Tests.Session;

public sealed class IdentityVerifierTests : IDisposable
{
    private readonly IdentityKeyPair _alice = IdentityKeyPair.FromSeed(PureSession.Seed(5, 1));
    private readonly IdentityKeyPair _bob = IdentityKeyPair.FromSeed(PureSession.Seed(5, 2));

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
    }

    private RemotePeer Peer(IdentityKeyPair key) => new(key.PublicIdentity, "peer", "0.7.0", null);

    [Fact]
    public async Task AcceptAll_accepts_any_identity()
    {
        Assert.Equal(IdentityVerdict.Accept, await AcceptAllVerifier.Instance.VerifyAsync(Peer(_bob), CancellationToken.None));
    }

    [Fact]
    public async Task AllowList_by_PKIX_key_accepts_listed_and_rejects_others()
    {
        var verifier = AllowListVerifier.FromPkixKeys([_alice.PublicIdentity.Pkix]);
        Assert.Equal(IdentityVerdict.Accept, await verifier.VerifyAsync(Peer(_alice), CancellationToken.None));
        var rejected = Assert.IsType<IdentityVerdict.Rejected>(await verifier.VerifyAsync(Peer(_bob), CancellationToken.None));
        Assert.Contains(_bob.PublicIdentity.Fingerprint.Base64, rejected.Reason);
    }

    [Fact]
    public async Task AllowList_by_fingerprint_accepts_base64url_and_hex_forms()
    {
        var byBase64 = AllowListVerifier.FromFingerprints([_alice.PublicIdentity.Fingerprint.Base64]);
        var byHex = AllowListVerifier.FromFingerprints([_bob.PublicIdentity.Fingerprint.Hex.ToUpperInvariant()]);
        Assert.Equal(IdentityVerdict.Accept, await byBase64.VerifyAsync(Peer(_alice), CancellationToken.None));
        Assert.Equal(IdentityVerdict.Accept, await byHex.VerifyAsync(Peer(_bob), CancellationToken.None));
        Assert.IsType<IdentityVerdict.Rejected>(await byHex.VerifyAsync(Peer(_alice), CancellationToken.None));
        var byHexColon = AllowListVerifier.FromFingerprints([_bob.PublicIdentity.Fingerprint.HexColon.ToLowerInvariant()]);
        Assert.Equal(IdentityVerdict.Accept, await byHexColon.VerifyAsync(Peer(_bob), CancellationToken.None));
    }

    [Fact]
    public void AllowList_refuses_a_malformed_entry()
    {
        var error = Assert.Throws<ArgumentException>(() => AllowListVerifier.FromFingerprints(["not-a-fingerprint"]));
        Assert.Contains("Allow-list entry: Fingerprint: expected 43 base64url characters", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AllowListVerifier.FromPkixKeys([new byte[44]]));
    }
}

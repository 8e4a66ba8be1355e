using System.Net;
using Kamune.Abstractions;
using Kamune.Actors;
using Kamune.Identity;
using Kamune.Node.Cli;
using Kamune.Node.Trust;

namespace Kamune.Node.Tests;

public sealed class KnownPeersTests : IDisposable
{
    private readonly TempHome _temp = new();
    private readonly IdentityKeyPair _alice = IdentityKeyPair.Generate(new DeterministicRandomSource(21));
    private readonly IdentityKeyPair _mallory = IdentityKeyPair.Generate(new DeterministicRandomSource(22));

    private string FilePath => _temp.Sub("known_peers");

    [Fact]
    public async Task First_contact_is_accepted_and_remembered_across_restarts()
    {
        var first = KnownPeers.Open(FilePath);
        Assert.IsType<IdentityVerdict.Accepted>(await first.VerifyAsync(Peer(_alice, "alice"), default));

        var reopened = KnownPeers.Open(FilePath);

        Assert.Equal(_alice.PublicIdentity.Fingerprint.Base64, reopened.FingerprintOf("alice", null));
        Assert.IsType<IdentityVerdict.Accepted>(await reopened.VerifyAsync(Peer(_alice, "alice"), default));
    }

    [Fact]
    public async Task A_known_name_with_a_different_key_is_refused_and_the_reason_names_the_file()
    {
        var known = KnownPeers.Open(FilePath);
        await known.VerifyAsync(Peer(_alice, "alice"), default);

        var verdict = await KnownPeers.Open(FilePath).VerifyAsync(Peer(_mallory, "alice"), default);

        var rejected = Assert.IsType<IdentityVerdict.Rejected>(verdict);
        Assert.Contains(_alice.PublicIdentity.Fingerprint.Base64, rejected.Reason, StringComparison.Ordinal);
        Assert.Contains(_mallory.PublicIdentity.Fingerprint.Base64, rejected.Reason, StringComparison.Ordinal);
        Assert.Contains(FilePath, rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dialed_address_that_answers_with_a_different_key_is_refused_even_under_a_default_name()
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, 7411);
        var address = new PeerAddress("localhost", 7411);
        var known = KnownPeers.Open(FilePath);
        known.ExpectDialed(endpoint, address);
        await known.VerifyAsync(Peer(_alice, _alice.PublicIdentity.DefaultName, endpoint), default);

        var later = KnownPeers.Open(FilePath);
        later.ExpectDialed(endpoint, address);
        var verdict = await later.VerifyAsync(Peer(_mallory, _mallory.PublicIdentity.DefaultName, endpoint), default);

        Assert.Contains("address localhost:7411", Assert.IsType<IdentityVerdict.Rejected>(verdict).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_accepted_connection_from_an_undialed_address_is_not_pinned_by_address()
    {
        var known = KnownPeers.Open(FilePath);
        await known.VerifyAsync(Peer(_alice, _alice.PublicIdentity.DefaultName, new IPEndPoint(IPAddress.Loopback, 50000)), default);

        var verdict = await known.VerifyAsync(Peer(_mallory, _mallory.PublicIdentity.DefaultName, new IPEndPoint(IPAddress.Loopback, 50000)), default);

        Assert.IsType<IdentityVerdict.Accepted>(verdict);
        Assert.Equal(0, known.Count);
    }

    [Fact]
    public async Task Names_with_spaces_and_newlines_are_stored_on_one_line()
    {
        var known = KnownPeers.Open(FilePath);
        await known.VerifyAsync(Peer(_alice, "evil\nname:x y"), default);

        var lines = File.ReadAllLines(FilePath).Where(l => !l.StartsWith('#')).ToArray();

        Assert.Single(lines);
        Assert.Equal(_alice.PublicIdentity.Fingerprint.Base64, KnownPeers.Open(FilePath).FingerprintOf("evil\nname:x y", null));
    }

    [Theory]
    [InlineData("alice AAAA")]
    [InlineData("name:alice")]
    [InlineData("host:alice q2wKMZrZcOm4zqqyWZrS1FjgwuC0pDSBVYQ6yu_HjWs")]
    public void A_malformed_line_is_an_error_naming_file_and_line(string line)
    {
        File.WriteAllText(FilePath, "# comment\n\n" + line + "\n");

        var error = Assert.Throws<NodeException>(() => KnownPeers.Open(FilePath));

        Assert.Contains($"{FilePath} line 3", error.Message, StringComparison.Ordinal);
    }

    private static RemotePeer Peer(IdentityKeyPair key, string name, EndPoint? address = null) =>
        new(key.PublicIdentity, name, "0.7.0", address);

    public void Dispose()
    {
        _alice.Dispose();
        _mallory.Dispose();
        _temp.Dispose();
    }
}

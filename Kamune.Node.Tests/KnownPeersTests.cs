using System.Net;
using Kamune.Node.Cli;
using Kamune.Node.Trust;

namespace Kamune.Node.Tests;

public sealed class KnownPeersTests : IDisposable
{
    private static readonly IPEndPoint Somewhere = new(IPAddress.Parse("127.0.0.9"), 50000);

    private readonly TempHome _temp = new();
    private readonly IdentityKeyPair _alice = IdentityKeyPair.Generate(new DeterministicRandomSource(21));
    private readonly IdentityKeyPair _mallory = IdentityKeyPair.Generate(new DeterministicRandomSource(22));

    private string FilePath => _temp.Sub("known_peers");

    [Fact]
    public async Task A_checked_Introduce_pins_nothing_until_the_session_is_established()
    {
        var known = KnownPeers.Open(FilePath);
        Assert.IsType<IdentityVerdict.Accepted>(await known.VerifyAsync(Peer(_alice, "alice"), default));

        Assert.False(File.Exists(FilePath));
        Assert.IsType<IdentityVerdict.Accepted>(await KnownPeers.Open(FilePath).VerifyAsync(Peer(_mallory, "alice"), default));
    }

    [Fact]
    public async Task An_established_session_is_pinned_by_key_with_its_name_and_remembered_across_restarts()
    {
        var first = KnownPeers.Open(FilePath);
        await first.VerifyAsync(Peer(_alice, "alice"), default);
        Assert.Null(first.Established(Peer(_alice, "alice")));

        var reopened = KnownPeers.Open(FilePath);

        Assert.Equal(_alice.PublicIdentity.Fingerprint.Base64, reopened.FingerprintOf("alice", null));
        Assert.Contains($"{_alice.PublicIdentity.Fingerprint.Base64} name:alice", File.ReadAllLines(FilePath));
        Assert.True(reopened.KnewBefore(_alice.PublicIdentity.Fingerprint.Base64));
        Assert.False(first.KnewBefore(_alice.PublicIdentity.Fingerprint.Base64));
    }

    [Fact]
    public async Task A_known_name_with_a_different_key_is_refused_and_the_reason_names_the_line_to_remove()
    {
        KnownPeers.Open(FilePath).Established(Peer(_alice, "alice"));

        var verdict = await KnownPeers.Open(FilePath).VerifyAsync(Peer(_mallory, "alice"), default);

        var rejected = Assert.IsType<IdentityVerdict.Rejected>(verdict);
        Assert.Contains($"remove the line \"{_alice.PublicIdentity.Fingerprint.Base64} name:alice\" from {FilePath}", rejected.Reason, StringComparison.Ordinal);
        Assert.Contains(_mallory.PublicIdentity.Fingerprint.Base64, rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_known_key_keeps_its_first_name_and_may_not_take_a_name_pinned_to_another_key()
    {
        var known = KnownPeers.Open(FilePath);
        known.Established(Peer(_alice, "alice"));
        known.Established(Peer(_mallory, "mallory"));

        Assert.IsType<IdentityVerdict.Accepted>(await known.VerifyAsync(Peer(_mallory, "mal"), default));
        Assert.Null(known.Established(Peer(_mallory, "mal")));
        Assert.IsType<IdentityVerdict.Rejected>(await known.VerifyAsync(Peer(_mallory, "alice"), default));
        Assert.Null(KnownPeers.Open(FilePath).FingerprintOf("mal", null));
    }

    [Fact]
    public async Task A_dialed_address_that_answers_with_a_different_key_is_refused_even_under_a_default_name()
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, 7411);
        var address = new PeerAddress("localhost", 7411);
        var known = KnownPeers.Open(FilePath);
        known.Established(Peer(_alice, _alice.PublicIdentity.DefaultName, endpoint), address);

        var later = KnownPeers.Open(FilePath);
        var verdict = await later.ForDial(address).VerifyAsync(Peer(_mallory, _mallory.PublicIdentity.DefaultName, endpoint), default);

        Assert.Contains("address localhost:7411", Assert.IsType<IdentityVerdict.Rejected>(verdict).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dialed_pin_holds_whatever_form_the_connection_endpoint_takes()
    {
        // The dial wrote fe80::1%2; the socket may report the peer with another scope id form, mapped, or not at all.
        var address = new PeerAddress("fe80::1%2", 7411);
        Assert.Null(KnownPeers.Open(FilePath).Established(Peer(_alice, _alice.PublicIdentity.DefaultName, new IPEndPoint(IPAddress.Parse("fe80::1%2"), 7411)), address));

        var known = KnownPeers.Open(FilePath);
        foreach (var seen in new EndPoint?[] { new IPEndPoint(IPAddress.Parse("fe80::1"), 7411), new IPEndPoint(IPAddress.Parse("::ffff:10.0.0.1"), 7411), null })
        {
            var verdict = await known.ForDial(address).VerifyAsync(Peer(_mallory, _mallory.PublicIdentity.DefaultName, seen), default);
            Assert.IsType<IdentityVerdict.Rejected>(verdict);
        }
    }

    [Fact]
    public async Task An_accepted_connection_from_an_undialed_address_is_not_pinned_by_address()
    {
        var known = KnownPeers.Open(FilePath);
        known.Established(Peer(_alice, _alice.PublicIdentity.DefaultName, Somewhere));

        var verdict = await known.VerifyAsync(Peer(_mallory, _mallory.PublicIdentity.DefaultName, Somewhere), default);

        Assert.IsType<IdentityVerdict.Accepted>(verdict);
        Assert.Equal([$"{_alice.PublicIdentity.Fingerprint.Base64} key"], Pins());
    }

    [Fact]
    public void Names_with_spaces_and_separators_are_stored_on_one_line()
    {
        KnownPeers.Open(FilePath).Established(Peer(_alice, "evil name:x y"));

        Assert.Single(Pins());
        Assert.Equal(_alice.PublicIdentity.Fingerprint.Base64, KnownPeers.Open(FilePath).FingerprintOf("evil name:x y", null));
    }

    [Fact]
    public void A_file_of_the_first_format_is_read_as_it_is_and_new_pins_are_appended_in_the_current_one()
    {
        var alice = _alice.PublicIdentity.Fingerprint.Base64;
        File.WriteAllText(FilePath, $"# old\nname:alice {alice}\naddress:bob.example:7411 {alice}\n");

        var known = KnownPeers.Open(FilePath);
        known.Established(Peer(_mallory, "mallory"));

        Assert.Equal(alice, known.FingerprintOf("alice", null));
        Assert.Equal(alice, known.FingerprintOf(null, new PeerAddress("bob.example", 7411)));
        Assert.Equal($"{_mallory.PublicIdentity.Fingerprint.Base64} name:mallory", Pins()[^1]);
        Assert.Equal(3, KnownPeers.Open(FilePath).Count);
    }

    [Fact]
    public void Conflicting_lines_are_refused_at_load_naming_both_lines()
    {
        File.WriteAllText(FilePath,
            $"{_alice.PublicIdentity.Fingerprint.Base64} name:alice\n{_mallory.PublicIdentity.Fingerprint.Base64} name:alice\n");

        var error = Assert.Throws<NodeException>(() => KnownPeers.Open(FilePath));

        Assert.Contains($"{FilePath} line 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 1: name \"alice\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice AAAA")]
    [InlineData("name:alice")]
    [InlineData("host:alice q2wKMZrZcOm4zqqyWZrS1FjgwuC0pDSBVYQ6yu_HjWs")]
    [InlineData("q2wKMZrZcOm4zqqyWZrS1FjgwuC0pDSBVYQ6yu_HjWs keys")]
    public void A_malformed_line_is_an_error_naming_file_and_line(string line)
    {
        File.WriteAllText(FilePath, "# comment\n\n" + line + "\n");

        var error = Assert.Throws<NodeException>(() => KnownPeers.Open(FilePath));

        Assert.Contains($"{FilePath} line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_keys_from_one_address_are_capped_per_window_but_known_keys_and_dialed_peers_are_not()
    {
        var clock = new ManualMonotonicClock();
        var budget = new PinBudget(2, TimeSpan.FromHours(1), clock);
        var known = KnownPeers.Open(FilePath, budget);
        using var third = IdentityKeyPair.Generate(new DeterministicRandomSource(23));
        Assert.IsType<IdentityVerdict.Accepted>(await known.VerifyAsync(Peer(_alice, "alice", Somewhere), default));
        known.Established(Peer(_alice, "alice", Somewhere));
        Assert.IsType<IdentityVerdict.Accepted>(await known.VerifyAsync(Peer(_mallory, "bob", Somewhere), default));

        var refused = Assert.IsType<IdentityVerdict.Rejected>(await known.VerifyAsync(Peer(third, "carol", Somewhere), default));
        Assert.Contains("too many new keys from 127.0.0.9", refused.Reason, StringComparison.Ordinal);
        Assert.IsType<IdentityVerdict.Accepted>(await known.VerifyAsync(Peer(_alice, "alice", Somewhere), default));
        Assert.IsType<IdentityVerdict.Accepted>(await known.VerifyAsync(Peer(third, "carol", new IPEndPoint(IPAddress.Parse("127.0.0.10"), 1)), default));

        Assert.IsType<IdentityVerdict.Accepted>(await known.ForDial(new PeerAddress("127.0.0.9", Somewhere.Port)).VerifyAsync(Peer(third, "carol", Somewhere), default));

        var undialed = KnownPeers.Open(FilePath, budget);
        Assert.IsType<IdentityVerdict.Rejected>(await undialed.VerifyAsync(Peer(third, "carol", Somewhere), default));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.IsType<IdentityVerdict.Accepted>(await undialed.VerifyAsync(Peer(third, "carol", Somewhere), default));
    }

    private string[] Pins() => File.ReadAllLines(FilePath).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    private static RemotePeer Peer(IdentityKeyPair key, string name, EndPoint? address = null) =>
        new(key.PublicIdentity, name, "0.7.0", address ?? Somewhere);

    public void Dispose()
    {
        _alice.Dispose();
        _mallory.Dispose();
        _temp.Dispose();
    }
}

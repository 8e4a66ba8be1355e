using System.Runtime.CompilerServices;
using PublicApiGenerator;

namespace Kamune.Actors.Tests.Api;

/// <summary>
/// The library's public surface is deliberate (issue 17 item 4): any change to it, a type made public by accident
/// or a renamed message, fails here until Kamune.Actors.approved.txt is updated in the same commit. The test writes
/// what it found beside the approved file as Kamune.Actors.received.txt; review the difference and copy it over.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void The_public_API_of_Kamune_Actors_is_the_approved_one() => AssertApproved(typeof(KamuneExtension).Assembly, "Kamune.Actors");

    [Fact]
    public void The_public_API_of_Kamune_TestKit_is_the_approved_one() => AssertApproved(typeof(PeerPair).Assembly, "Kamune.TestKit");

    [Fact]
    public void The_test_surface_lives_in_one_namespace()
    {
        Assert.Equal(["Kamune.TestKit"], typeof(PeerPair).Assembly.GetExportedTypes().Select(t => t.Namespace).Distinct());
    }

    [Fact]
    public void The_embedding_API_lives_in_two_namespaces()
    {
        var namespaces = typeof(KamuneExtension).Assembly.GetExportedTypes().Select(t => t.Namespace).Distinct().Order();

        Assert.Equal(["Kamune", "Kamune.Hosting"], namespaces);
    }

    [Fact]
    public void A_remote_peers_fingerprint_equals_the_same_keys_fingerprint_and_no_other()
    {
        using var alice = IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
        using var again = IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)1, 32).ToArray());
        using var bob = IdentityKeyPair.FromSeed(Enumerable.Repeat((byte)2, 32).ToArray());
        var peer = new RemotePeer(again.PublicIdentity, "alice", "0.7.0", null);

        Assert.True(peer.Fingerprint.Equals(alice.PublicIdentity.Fingerprint));
        Assert.True(peer.Fingerprint == alice.PublicIdentity.Fingerprint);
        Assert.Equal(alice.PublicIdentity.Fingerprint.GetHashCode(), peer.Fingerprint.GetHashCode());
        Assert.False(peer.Fingerprint.Equals(bob.PublicIdentity.Fingerprint));
        Assert.True(peer.Fingerprint != bob.PublicIdentity.Fingerprint);
    }

    private static void AssertApproved(System.Reflection.Assembly assembly, string name)
    {
        var found = ApiGenerator.GeneratePublicApi(assembly, new ApiGeneratorOptions
        {
            IncludeAssemblyAttributes = false,
        }).ReplaceLineEndings("\n");
        var approvedPath = Path.Combine(SourceDirectory(), $"{name}.approved.txt");
        var receivedPath = Path.Combine(SourceDirectory(), $"{name}.received.txt");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";

        if (found != approved)
        {
            File.WriteAllText(receivedPath, found);
        }
        else
        {
            File.Delete(receivedPath);
        }

        Assert.True(found == approved,
            $"expected the public API in {approvedPath}, got another one, written to {receivedPath}: "
            + $"diff the two and copy the received file over the approved one if the change is meant");
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}

using System.Net;
using System.Runtime.InteropServices;
using Kamune.Node.Cli;
using Kamune.Node.Home;
using Kamune.Node.Trust;

namespace Kamune.Node.Tests;

/// <summary>
/// Issue 16 item 7, with real files: the home and known_peers are checked for owner and mode, known_peers is created
/// 0600, and two writers sharing one file can neither replace each other's pins nor tear each other's lines.
/// Unix only, like the checks themselves (NodeProcess signals through libc too).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalTrustStateTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TempHome _temp = new();
    private readonly IdentityKeyPair _alice = IdentityKeyPair.Generate(new DeterministicRandomSource(51));
    private readonly IdentityKeyPair _mallory = IdentityKeyPair.Generate(new DeterministicRandomSource(52));
    private readonly List<Akka.Actor.ActorSystem> _systems = new();

    private string FilePath => _temp.Sub("known_peers");

    [Fact]
    public void Known_peers_and_its_lock_are_created_readable_by_their_owner_only()
    {
        KnownPeers.Open(FilePath).Established(Peer(_alice, "alice"));

        Assert.Equal(Private, File.GetUnixFileMode(FilePath));
        Assert.Equal(Private, File.GetUnixFileMode(FilePath + ".lock"));
    }

    [Fact]
    public void A_known_peers_file_others_may_write_is_refused_with_the_path_and_the_fix()
    {
        File.WriteAllText(FilePath, "");
        File.SetUnixFileMode(FilePath, Private | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.OtherRead);

        var error = Assert.Throws<NodeException>(() => KnownPeers.Open(FilePath));

        Assert.Equal($"known peers {FilePath} is writable by group or others (mode 0626); expected 0600: run chmod 600 {FilePath}", error.Message);
    }

    [Fact]
    public void A_home_directory_others_may_write_is_refused_before_anything_in_it_is_read()
    {
        var home = new NodeHome(_temp.Sub("shared-home"));
        home.EnsureExists();
        File.SetUnixFileMode(home.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupWrite | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);

        var fromStore = Assert.Throws<NodeException>(() => KnownPeers.Open(home.KnownPeersPath));
        var fromHome = Assert.Throws<NodeException>(home.CheckPrivate);

        Assert.Contains($"home directory {home.Directory} is writable by group or others (mode 0770); expected 0700: run chmod 700 {home.Directory}", fromStore.Message, StringComparison.Ordinal);
        Assert.Equal(fromStore.Message, fromHome.Message);
    }

    [Fact]
    public void A_known_peers_file_of_another_user_is_refused()
    {
        if (PrivatePath.CurrentUser() != 0 || !OperatingSystem.IsLinux())
        {
            // Giving a file away takes root; as any other user the owner check is covered by the home of root below.
            Assert.Equal(PrivatePath.CurrentUser(), PrivatePath.OwnerOf(_temp.Directory));
            return;
        }

        File.WriteAllText(FilePath, "");
        Assert.Equal(0, chown(FilePath, 65534, 65534));

        var error = Assert.Throws<NodeException>(() => KnownPeers.Open(FilePath));

        Assert.Equal($"known peers {FilePath} belongs to user id 65534, not to this user (0); expected this user's own: run chown 0 {FilePath}, or use another --home", error.Message);
    }

    [Fact]
    public async Task Identity_show_refuses_a_home_others_may_write_in_one_line_on_stderr()
    {
        var home = await _temp.NodeHomeAsync("node");
        File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);

        var (code, stdout, stderr) = await NodeProcess.RunAsync(["identity", "show", "--home", home]);

        Assert.NotEqual(0, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"run chmod 700 {home}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_writer_cannot_replace_a_pin_the_first_wrote_since_it_loaded()
    {
        var first = KnownPeers.Open(FilePath);
        var second = KnownPeers.Open(FilePath);
        Assert.IsType<IdentityVerdict.Accepted>(await second.VerifyAsync(Peer(_mallory, "alice"), default));

        Assert.Null(first.Established(Peer(_alice, "alice")));
        var refusal = second.Established(Peer(_mallory, "alice"));

        Assert.Contains($"known with key {_alice.PublicIdentity.Fingerprint.Base64}", refusal, StringComparison.Ordinal);
        Assert.Equal([$"{_alice.PublicIdentity.Fingerprint.Base64} name:alice"], Pins());
        Assert.Equal(_alice.PublicIdentity.Fingerprint.Base64, second.FingerprintOf("alice", null));
        Assert.IsType<IdentityVerdict.Rejected>(await second.VerifyAsync(Peer(_mallory, "alice"), default));
    }

    [Fact]
    public async Task A_writer_sees_pins_another_process_appended_at_its_next_check()
    {
        var reader = KnownPeers.Open(FilePath);
        KnownPeers.Open(FilePath).Established(Peer(_alice, "alice"));

        var verdict = await reader.VerifyAsync(Peer(_mallory, "alice"), default);

        Assert.IsType<IdentityVerdict.Rejected>(verdict);
    }

    [Fact]
    public async Task Two_writers_appending_at_once_keep_every_line_whole()
    {
        var keys = Enumerable.Range(0, 80).Select(i => IdentityKeyPair.Generate(new DeterministicRandomSource(1000 + (ulong)i))).ToArray();
        try
        {
            var writers = new[] { KnownPeers.Open(FilePath), KnownPeers.Open(FilePath) };
            await Task.WhenAll(writers.Select((writer, w) => Task.Run(() =>
            {
                for (var i = w; i < keys.Length; i += 2)
                {
                    Assert.Null(writer.Established(Peer(keys[i], $"peer-{i}")));
                }
            })));

            var reloaded = KnownPeers.Open(FilePath);
            Assert.Equal(keys.Length, reloaded.Count);
            Assert.Equal(keys.Length, Pins().Length);
            for (var i = 0; i < keys.Length; i++)
            {
                Assert.Equal(keys[i].PublicIdentity.Fingerprint.Base64, reloaded.FingerprintOf($"peer-{i}", null));
            }
        }
        finally
        {
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    [Fact]
    public async Task Two_node_processes_sharing_a_home_see_each_others_pins_and_the_second_cannot_replace_one()
    {
        var home = await _temp.NodeHomeAsync("shared");
        await using var first = NodeProcess.Start(["run", "--json", "--listen", "127.0.0.1:0", "--home", home]);
        await using var second = NodeProcess.Start(["run", "--json", "--listen", "127.0.0.1:0", "--home", home]);
        var firstPort = PortOf(await first.WaitForEventAsync("listening"));
        var secondPort = PortOf(await second.WaitForEventAsync("listening"));

        await DialAsync("alice-peer", _alice, firstPort);
        await first.WaitForEventAsync("session_established");
        await DialAsync("impostor-peer", _mallory, secondPort);
        var refused = await second.WaitForEventAsync("error");

        Assert.Contains($"name \"alice\" is known with key {_alice.PublicIdentity.Fingerprint.Base64}", refused.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal([$"{_alice.PublicIdentity.Fingerprint.Base64} name:alice"], File.ReadAllLines(Path.Combine(home, "known_peers")).Where(l => l.Length > 0 && !l.StartsWith('#')));
    }

    private static int PortOf(System.Text.Json.JsonElement listening)
    {
        var address = listening.GetProperty("address").GetString()!;
        return int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task DialAsync(string systemName, IdentityKeyPair key, int port)
    {
        var system = KamuneSystem.Create(systemName, new KamuneNodeOptions(key, AcceptAllVerifier.Instance),
            Akka.Configuration.ConfigurationFactory.ParseString("kamune.name = \"alice\""));
        _systems.Add(system);
        await KamuneExtension.Get(system).DialAsync("127.0.0.1", port, SessionChannels.Handler(system, System.Threading.Channels.Channel.CreateUnbounded<object>()));
    }

    private string[] Pins() => File.ReadAllLines(FilePath).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    private static RemotePeer Peer(IdentityKeyPair key, string name) =>
        new(key.PublicIdentity, name, "0.7.0", new IPEndPoint(IPAddress.Loopback, 40000));

    [DllImport("libc", SetLastError = true)]
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    public void Dispose()
    {
        foreach (var system in _systems)
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }

        _alice.Dispose();
        _mallory.Dispose();
        _temp.Dispose();
    }
}

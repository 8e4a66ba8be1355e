using Kamune.Node.Cli;
using Kamune.Node.Home;

namespace Kamune.Node.Tests;

public sealed class IdentityStoreTests : IDisposable
{
    private readonly TempHome _temp = new();

    [Fact]
    public void Create_writes_a_pkcs8_pem_that_load_reads_back_as_the_same_key()
    {
        var store = new IdentityStore(new NodeHome(_temp.Sub("home")));

        using var created = store.Create(new DeterministicRandomSource(1), force: false);
        using var loaded = store.Load();

        Assert.Equal(created.PublicIdentity, loaded.PublicIdentity);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(store.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_makes_the_file_readable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only.
        }

        var home = new NodeHome(_temp.Sub("home"));
        var store = new IdentityStore(home);

        using var _ = store.Create(new DeterministicRandomSource(2), force: false);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home.Directory));
    }

    [Fact]
    public void Create_refuses_to_replace_an_existing_identity_without_force()
    {
        var store = new IdentityStore(new NodeHome(_temp.Sub("home")));
        using var first = store.Create(new DeterministicRandomSource(3), force: false);
        var before = File.ReadAllText(store.Path);

        var error = Assert.Throws<NodeException>(() => store.Create(new DeterministicRandomSource(4), force: false));

        Assert.Contains("--force", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(store.Path));
    }

    [Fact]
    public void Create_with_force_replaces_the_identity_and_keeps_mode_0600()
    {
        var store = new IdentityStore(new NodeHome(_temp.Sub("home")));
        using var first = store.Create(new DeterministicRandomSource(5), force: false);

        using var second = store.Create(new DeterministicRandomSource(6), force: true);
        using var loaded = store.Load();

        Assert.NotEqual(first.PublicIdentity, loaded.PublicIdentity);
        Assert.Equal(second.PublicIdentity, loaded.PublicIdentity);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
        }

        Assert.Single(Directory.GetFiles(_temp.Sub("home")));
    }

    [Fact]
    public void Load_of_a_missing_identity_says_how_to_create_one()
    {
        var store = new IdentityStore(new NodeHome(_temp.Sub("empty")));

        var error = Assert.Throws<NodeException>(store.Load);

        Assert.Contains("no identity at", error.Message, StringComparison.Ordinal);
        Assert.Contains("kamune-node identity new", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    [InlineData("")]
    public void Load_of_a_corrupt_identity_is_a_clear_error_that_never_echoes_the_file(string content)
    {
        var home = new NodeHome(_temp.Sub("home"));
        home.EnsureExists();
        File.WriteAllText(home.IdentityPath, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home.IdentityPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var error = Assert.Throws<NodeException>(new IdentityStore(home).Load);

        Assert.Contains("is not a usable Ed25519 key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_refuses_a_key_others_can_read()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only.
        }

        var store = new IdentityStore(new NodeHome(_temp.Sub("home")));
        using var _ = store.Create(new DeterministicRandomSource(7), force: false);
        File.SetUnixFileMode(store.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var error = Assert.Throws<NodeException>(store.Load);

        Assert.Contains("expected 0600", error.Message, StringComparison.Ordinal);
        Assert.Contains("0604", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Home_option_wins_over_environment_which_wins_over_the_default()
    {
        var fromOption = NodeHome.Resolve("/tmp/a", _ => "/tmp/b");
        var fromEnvironment = NodeHome.Resolve(null, name => name == NodeHome.EnvironmentVariable ? "/tmp/b" : null);
        var fallback = NodeHome.Resolve(null, _ => null);

        Assert.Equal(Path.GetFullPath("/tmp/a"), fromOption.Directory);
        Assert.Equal(Path.GetFullPath("/tmp/b"), fromEnvironment.Directory);
        Assert.EndsWith(Path.Combine(".config", "kamune-net"), fallback.Directory, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}

namespace Kamune.Node.Tests;

/// <summary>`kamune-node identity` through the real executable: output, files and exit codes as a user sees them.</summary>
public sealed class IdentityCommandTests : IDisposable
{
    private readonly TempHome _temp = new();

    [Fact]
    public async Task Identity_new_then_show_print_the_same_fingerprints()
    {
        var home = _temp.Sub("home");

        var created = await NodeProcess.RunAsync(["identity", "new", "--home", home]);
        var shown = await NodeProcess.RunAsync(["identity", "show", "--home", home]);

        Assert.Equal(0, created.ExitCode);
        Assert.Equal(0, shown.ExitCode);
        Assert.Equal(FingerprintLines(created.Stdout), FingerprintLines(shown.Stdout));
        Assert.Equal(4, FingerprintLines(shown.Stdout).Length);
        Assert.Equal(string.Empty, shown.Stderr);
    }

    [Fact]
    public async Task Identity_new_uses_KAMUNE_HOME_when_no_home_option_is_given()
    {
        var home = _temp.Sub("from-env");

        var result = await NodeProcess.RunAsync(["identity", "new"], new Dictionary<string, string> { ["KAMUNE_HOME"] = home });

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(home, "identity.pem")));
    }

    [Fact]
    public async Task Identity_new_refuses_to_overwrite_without_force_and_replaces_with_it()
    {
        var home = _temp.Sub("home");
        await NodeProcess.RunAsync(["identity", "new", "--home", home]);
        var original = File.ReadAllText(Path.Combine(home, "identity.pem"));

        var refused = await NodeProcess.RunAsync(["identity", "new", "--home", home]);
        var unchanged = File.ReadAllText(Path.Combine(home, "identity.pem"));
        var forced = await NodeProcess.RunAsync(["identity", "new", "--home", home, "--force"]);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Equal(original, unchanged);
        Assert.Single(NonEmptyLines(refused.Stderr));
        Assert.Contains("--force", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, forced.ExitCode);
        Assert.NotEqual(original, File.ReadAllText(Path.Combine(home, "identity.pem")));
    }

    [Fact]
    public async Task Identity_show_of_a_corrupt_file_is_one_line_without_a_stack_trace()
    {
        var home = _temp.Sub("home");
        Directory.CreateDirectory(home);
        var path = Path.Combine(home, "identity.pem");
        File.WriteAllText(path, "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var result = await NodeProcess.RunAsync(["identity", "show", "--home", home]);
        var verbose = await NodeProcess.RunAsync(["identity", "show", "--home", home, "--verbose"]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(NonEmptyLines(result.Stderr));
        Assert.StartsWith("kamune-node: error: identity ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("   at ", verbose.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Identity_show_without_an_identity_fails_with_a_hint()
    {
        var result = await NodeProcess.RunAsync(["identity", "show", "--home", _temp.Sub("none")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("kamune-node identity new", Assert.Single(NonEmptyLines(result.Stderr)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("identity", "show")]
    [InlineData("identity", "new")]
    [InlineData("run", "--listen", "127.0.0.1:0")]
    public async Task An_identity_pem_that_is_a_directory_is_named_as_such_in_one_line(params string[] arguments)
    {
        var home = _temp.Sub("home");
        Directory.CreateDirectory(Path.Combine(home, "identity.pem"));

        var result = await NodeProcess.RunAsync([.. arguments, "--home", home]);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(NonEmptyLines(result.Stderr));
        Assert.Contains($"identity {Path.Combine(home, "identity.pem")} is a directory, expected a PEM file", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("identity", "frobnicate")]
    [InlineData("--no-such-flag")]
    [InlineData("identity", "new", "--home")]
    public async Task Bad_command_line_input_is_one_line_and_exit_code_2(params string[] arguments)
    {
        var result = await NodeProcess.RunAsync(arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("kamune-node: error: ", Assert.Single(NonEmptyLines(result.Stderr)), StringComparison.Ordinal);
    }

    private static string[] FingerprintLines(string stdout) =>
        stdout.Split('\n').Where(l => l.StartsWith("  ", StringComparison.Ordinal)).ToArray();

    private static string[] NonEmptyLines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public void Dispose() => _temp.Dispose();
}

namespace Kamune.Node.Tests;

/// <summary>
/// Issue 14 item 3 (and issue 17 item 7): the real kamune-node run on broken --config files. Each mistake is one line
/// on stderr that says where it is (file and line for syntax, the key for a value or an unknown key, with what was
/// expected and what was found) and exit code 2, the code of every usage and configuration error; before, some were
/// accepted silently and others ended in a NullReferenceException or a FormatException naming no key.
/// </summary>
public sealed class ConfigErrorProcessTests : IDisposable
{
    private readonly TempHome _temp = new();

    [Theory]
    [InlineData("kamune {\n  name = \"x\"\n", ":1: expected \"}\" to close the \"{\" of this line, got the end of the file")]
    [InlineData("kamune {\n  name = = \"x\"\n}\n", ":2: expected a value after \"=\", got \"=\"")]
    [InlineData("# includes\ninclude \"nowhere.conf\"\n", ":2: include \"nowhere.conf\": expected a file, got none at ")]
    [InlineData("kamune {\n  name = \"never closed\n}\n", ":2: expected a closing \" on the line its string starts")]
    [InlineData("kamune {\n  listen { port = 7 }\n}\n}\n", ":4: expected nothing to close, got \"}\"")]
    [InlineData("kamune.handshake-timeout = banana\n", "kamune.handshake-timeout: expected a duration (for example 30s), got \"banana\"")]
    [InlineData("# limits\nkamune.send-window = banana\n", ":2: kamune.send-window: expected an integer, got \"banana\"")]
    [InlineData("kamune-node.bench-window = lots\n", "kamune-node.bench-window: expected an integer, got \"lots\"")]
    [InlineData("kamune.handshake-timout = 10s\n", "unknown key kamune.handshake-timout; did you mean kamune.handshake-timeout?")]
    [InlineData("kamune {\n  listen {\n    prot = 7411\n  }\n}\n", ":3: unknown key kamune.listen.prot; did you mean kamune.listen.port?")]
    [InlineData("kamune-node { trust = tofu, shutdown-timout = 2s }\n", "unknown key kamune-node.shutdown-timout; did you mean kamune-node.shutdown-timeout?")]
    public async Task A_broken_config_file_is_one_error_line_that_names_where_and_exit_code_2(string content, string expected)
    {
        var home = await _temp.NodeHomeAsync("node");
        var file = _temp.Sub("bad.conf");
        await File.WriteAllTextAsync(file, content);

        // A dial to a port nothing listens on: were the file accepted, the run would fail with exit code 1 instead.
        var result = await NodeProcess.RunAsync(["run", "--json", "--home", home, "--config", file, "--dial", "127.0.0.1:1"]);

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("kamune-node: error: ", line, StringComparison.Ordinal);
        Assert.Contains(file, line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stdout);
    }

    [Fact]
    public async Task A_good_file_with_an_include_beside_it_is_read_and_a_runtime_failure_is_exit_code_1()
    {
        var home = await _temp.NodeHomeAsync("node");
        await File.WriteAllTextAsync(_temp.Sub("limits.conf"), "kamune { send-window = 32 }\n");
        var file = _temp.Sub("node.conf");
        await File.WriteAllTextAsync(file, "include \"limits.conf\"\nkamune-node.bench-window = 32 // at most send-window\n");

        var result = await NodeProcess.RunAsync(["run", "--json", "--home", home, "--config", file, "--dial", "127.0.0.1:1"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot connect to 127.0.0.1:1", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_documents_the_exit_codes_and_that_json_sends_are_never_refused_for_back_pressure()
    {
        var root = await NodeProcess.RunAsync(["--help"]);
        var run = await NodeProcess.RunAsync(["run", "--help"]);

        Assert.Contains("Exit codes: 0 success, 1 runtime failure", root.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 usage or configuration error", root.Stdout, StringComparison.Ordinal);
        Assert.Contains("never refused for back-pressure", run.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();
}

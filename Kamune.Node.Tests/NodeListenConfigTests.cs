using Kamune.Node.Cli;
using Kamune.Node.Hosting;

namespace Kamune.Node.Tests;

/// <summary>
/// Issue 17 item 6: kamune.listen.* left the library's reference config and is kamune-node's own (its embedded
/// hocon/kamune-node.conf), still checked like every other key; existing node files keep working, the older
/// kamune.listen.backlog included, and kamune.app-version is accepted only as the protocol's own version.
/// </summary>
public sealed class NodeListenConfigTests : IDisposable
{
    private readonly TempHome _temp = new();

    [Fact]
    public void The_node_listens_on_127_0_0_1_and_a_free_port_unless_its_config_says_otherwise()
    {
        var config = NodeConfig.Defaults();

        Assert.Equal(("127.0.0.1", 0), (config.ListenHost, config.ListenPort));
        Assert.False(KamuneConfig.Default.HasPath("kamune.listen"));
    }

    [Fact]
    public void The_example_node_conf_in_hocon_still_loads_with_its_listen_address()
    {
        var config = NodeConfig.Load(Path.Combine(RepositoryRoot(), "hocon", "node.conf"));

        Assert.Equal(("0.0.0.0", 7411, "example-node"), (config.ListenHost, config.ListenPort, config.Kamune.Name));
    }

    [Fact]
    public void An_existing_file_with_kamune_listen_backlog_sets_the_librarys_listen_backlog()
    {
        var config = NodeConfig.Load(Write("kamune {\n  listen {\n    host = \"0.0.0.0\"\n    port = 7411\n    backlog = 100\n  }\n}\n"));

        Assert.Equal(("0.0.0.0", 7411, 100), (config.ListenHost, config.ListenPort, config.Kamune.ListenBacklog));
        Assert.Equal(200, NodeConfig.Load(Write("kamune.listen-backlog = 200\n")).Kamune.ListenBacklog);
    }

    [Fact]
    public void A_file_that_states_the_protocol_version_as_app_version_still_loads()
    {
        Assert.Equal("n", NodeConfig.Load(Write("kamune { name = n, app-version = \"0.7.0\" }\n")).Kamune.Name);
    }

    [Theory]
    [InlineData("kamune.listen.port = 70000\n", ":1: kamune.listen.port: expected 0..65535, got 70000")]
    [InlineData("kamune {\n  listen.port = banana\n}\n", ":2: kamune.listen.port: expected an integer, got \"banana\"")]
    [InlineData("kamune.listen.backlog = lots\n", ":1: kamune.listen.backlog: expected an integer, got \"lots\"")]
    [InlineData("kamune { listen.backlog = 8, listen-backlog = 8 }\n", "expected one of kamune.listen-backlog and its older name kamune.listen.backlog, got both")]
    [InlineData("kamune.listen.hots = x\n", "unknown key kamune.listen.hots; did you mean kamune.listen.host?")]
    [InlineData("kamune.app-version = \"0.8.0\"\n", ":1: kamune.app-version: expected no value (the protocol version announced is 0.7.0, not a setting), got \"0.8.0\"")]
    public void A_bad_listen_or_app_version_value_is_a_usage_error_that_names_file_line_and_key(string content, string expected)
    {
        var file = Write(content);

        var error = Assert.Throws<NodeException>(() => NodeConfig.Load(file));

        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.StartsWith($"--config {file}", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_run_with_an_old_style_file_listens_where_its_kamune_listen_says_and_stops_cleanly()
    {
        var home = await _temp.NodeHomeAsync("node");
        var file = Write("kamune {\n  app-version = \"0.7.0\"\n  listen {\n    host = \"127.0.0.2\"\n    port = 0\n    backlog = 64\n  }\n}\n");

        await using var node = NodeProcess.Start(["run", "--json", "--home", home, "--config", file]);
        var address = (await node.WaitForEventAsync("listening")).GetProperty("address").GetString()!;

        Assert.StartsWith("127.0.0.2:", address, StringComparison.Ordinal);
        Assert.NotEqual("127.0.0.2:0", address);
        node.Signal(NodeProcess.SigTerm);
        Assert.Equal(0, await node.WaitForExitAsync());
    }

    private string Write(string content)
    {
        var file = _temp.Sub($"{Guid.NewGuid():N}.conf");
        File.WriteAllText(file, content);
        return file;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kamune.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"Kamune.sln: expected it above {AppContext.BaseDirectory}, got none");
    }

    public void Dispose() => _temp.Dispose();
}

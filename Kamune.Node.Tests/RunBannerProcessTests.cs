namespace Kamune.Node.Tests;

/// <summary>The console's banner, from the real executable: the name peers are told, and the identity behind it.</summary>
public sealed class RunBannerProcessTests : IDisposable
{
    private readonly TempHome _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_banner_shows_the_name_given_with_name_else_the_fingerprint(bool named)
    {
        var home = await _temp.NodeHomeAsync("bob");
        var fingerprint = (await NodeProcess.RunAsync(["identity", "show", "--home", home])).Stdout
            .Split('\n').Single(l => l.TrimStart().StartsWith("name ", StringComparison.Ordinal)).Trim()["name".Length..].Trim();
        string[] name = named ? ["--name", "bob"] : [];
        await using var node = NodeProcess.Start(["run", "--listen", "127.0.0.1:0", "--home", home, .. name]);

        var banner = await node.ReadLineAsync();
        await node.WriteLineAsync("/quit");

        Assert.Equal(named ? $"kamune-node bob ({fingerprint})" : $"kamune-node {fingerprint}", banner);
        Assert.Equal(0, await node.WaitForExitAsync());
    }
}

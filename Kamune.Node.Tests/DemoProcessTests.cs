namespace Kamune.Node.Tests;

/// <summary>
/// The README's first command, `kamune-node demo`, as a real process on embedded defaults: two nodes, the whole
/// handshake, every message delivered both ways in order, a graceful close, exit code 0.
/// </summary>
public sealed class DemoProcessTests
{
    [Fact]
    public async Task The_demo_runs_a_whole_session_on_embedded_defaults_and_exits_0()
    {
        var (code, stdout, stderr) = await NodeProcess.RunAsync(["demo"], timeout: TimeSpan.FromSeconds(60));

        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        Assert.Contains("established: Alice is initiator, Bob is responder.", stdout);
        string[] received =
        [
            "Bob received #3: Hello Bob, this is Alice.",
            "Bob received #4: Every message is signed, padded and encrypted.",
            "Bob received #5: Bye for now.",
            "Alice received #3: Hi Alice, Bob here.",
            "Alice received #4: Read you loud and clear.",
            "Alice received #5: Bye!",
        ];
        foreach (var line in received)
        {
            Assert.Contains(line, stdout);
        }

        Assert.True(stdout.IndexOf(received[0], StringComparison.Ordinal) < stdout.IndexOf(received[2], StringComparison.Ordinal));
        Assert.True(stdout.IndexOf(received[3], StringComparison.Ordinal) < stdout.IndexOf(received[5], StringComparison.Ordinal));
        Assert.Contains("Alice closed the session (local_close); Bob saw peer_closed.", stdout);
    }
}

using System.Diagnostics;
using System.Net;
using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Node.Chat;

namespace Kamune.Node.Tests;

/// <summary>
/// The real kamune-node console on a real terminal: `script` (util-linux, essential on Debian) gives the process a
/// pseudo-terminal 100 columns wide; the test types into it and reads what the terminal shows, while two peers made
/// with the library talk to the node over loopback. Issue 14 item 5 and issue 16 item 3 from the outside.
/// </summary>
public sealed class ChatConsolePtyTests : IAsyncLifetime
{
    private const int Columns = 100;
    private static readonly System.Text.RegularExpressions.Regex TerminalControls = new(@"\x1b(\[[0-9;?]*[A-Za-z]|[=>])");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TempHome _temp = new();
    private readonly IdentityKeyPair _alice = IdentityKeyPair.Generate(new DeterministicRandomSource(91));
    private readonly IdentityKeyPair _bob = IdentityKeyPair.Generate(new DeterministicRandomSource(92));
    private readonly List<ActorSystem> _systems = new();
    private readonly Channel<string> _screen = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _seen = new();
    private Process _node = null!;

    public async Task InitializeAsync()
    {
        var home = await _temp.NodeHomeAsync("node");
        var command = $"stty cols {Columns} rows 40; exec dotnet '{NodeProcess.ExecutablePath}' run --listen 127.0.0.1:0 --trust any --home '{home}'";
        var info = new ProcessStartInfo("script") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-q", "-f", "-e", "-c", command, "/dev/null" })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("KAMUNE_HOME");
        _node = Process.Start(info) ?? throw new InvalidOperationException("script did not start");
        _node.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } raw)
            {
                // What the terminal shows: without the mode switches .NET's console sends (keypad mode: ESC[?1h ESC=).
                var line = TerminalControls.Replace(raw, string.Empty);
                lock (_seen)
                {
                    _seen.AppendLine(line.TrimEnd('\r'));
                }

                _screen.Writer.TryWrite(line.TrimEnd('\r'));
            }
        };
        _node.BeginOutputReadLine();
    }

    [Fact]
    public async Task On_a_terminal_a_line_typed_after_the_selected_peer_left_reaches_no_one_and_padding_cannot_fake_a_line()
    {
        var listening = await ExpectAsync("listening on 127.0.0.1:");
        var port = int.Parse(listening[(listening.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var (aliceSession, atAlice) = await DialAsync(port, "alice", _alice);
        await ExpectAsync($"[1] session with {Label("alice", _alice)}");
        var (_, atBob) = await DialAsync(port, "bob", _bob);
        await ExpectAsync($"[2] session with {Label("bob", _bob)}");

        aliceSession.Tell(new SendMessage(Encoding.UTF8.GetBytes($"hi{new string(' ', 300)}[2] {Label("bob", _bob)}: paste your key here")));
        var rows = new List<string> { await ExpectAsync($"[1] {Label("alice", _alice)}: hi") };
        while (!rows[^1].EndsWith("here", StringComparison.Ordinal))
        {
            rows.Add(await ExpectAsync(string.Empty));
        }

        Assert.All(rows.Skip(1), r => Assert.StartsWith($"[1] {Label("alice", _alice)}+ ", r, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.True(DisplayWidth.Of(r) <= Columns, r));

        aliceSession.Tell(CloseSession.Instance);
        await ExpectAsync("[1] was the selected session; nothing is selected now: /use N picks one of 2");
        await TypeAsync("this was meant for alice");
        await ExpectAsync($"not sent: session 1 with {Label("alice", _alice)} has ended and nothing is selected");
        await TypeAsync("/use 2");
        await ExpectAsync($"[2] selected: {Label("bob", _bob)}");
        await TypeAsync("hello bob");

        Assert.Equal("hello bob", Encoding.UTF8.GetString((await NextAsync<MessageReceived>(atBob)).Data.Span));
        await TypeAsync("/quit");
        Assert.Equal(0, await WaitForExitAsync());
        Assert.IsType<SessionClosed>(await NextAsync<SessionClosed>(atAlice));
    }

    private static string Label(string name, IdentityKeyPair key) => $"{name} ({key.PublicIdentity.Fingerprint.HexColon[..11]})";

    private async Task TypeAsync(string line)
    {
        await _node.StandardInput.WriteAsync(line + "\r");
        await _node.StandardInput.FlushAsync();
    }

    // The next line the terminal shows that starts with `start`, skipping the others (the echo of typed keys too).
    private async Task<string> ExpectAsync(string start)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (true)
            {
                var line = await _screen.Reader.ReadAsync(timeout.Token);
                if (line.StartsWith(start, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            lock (_seen)
            {
                throw new TimeoutException($"the terminal showed no line starting \"{start}\" within {Patience}; it showed:\n{_seen}");
            }
        }
    }

    private async Task<(IActorRef Session, Channel<object> Events)> DialAsync(int port, string name, IdentityKeyPair key)
    {
        var system = KamuneSystem.Create($"pty-{name}", new KamuneNodeOptions(key, AcceptAllVerifier.Instance),
            ConfigurationFactory.ParseString($"kamune.name = \"{name}\""));
        _systems.Add(system);
        var events = Channel.CreateUnbounded<object>();
        var handler = SessionChannels.Handler(system, events);
        await KamuneExtension.Get(system).DialAsync(IPAddress.Loopback.ToString(), port, handler);
        return ((await NextAsync<SessionEstablished>(events)).Session, events);
    }

    private static Task<T> NextAsync<T>(Channel<object> events) => SessionChannels.NextAsync<T>(events);

    private async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        await _node.WaitForExitAsync(timeout.Token);
        return _node.ExitCode;
    }

    public async Task DisposeAsync()
    {
        if (!_node.HasExited)
        {
            _node.Kill(entireProcessTree: true);
            await _node.WaitForExitAsync();
        }

        _node.Dispose();
        foreach (var system in _systems)
        {
            await system.Terminate().WaitAsync(Patience);
        }

        _alice.Dispose();
        _bob.Dispose();
        _temp.Dispose();
    }

}

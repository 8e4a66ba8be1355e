using System.IO.Pipes;
using System.Net;
using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Node.Chat;
using Kamune.Node.Hosting;

namespace Kamune.Node.Tests;

/// <summary>
/// The chat console as the node runs it, driven through real pipes: typed lines go into its stdin pipe, its stdout
/// pipe is read line by line; the SessionHub and the sessions are the real ones, over loopback TCP to peers made with
/// the library. Every wait has a deadline, so a console that stays silent fails the test instead of hanging it.
/// </summary>
internal sealed class ConsoleHarness : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly AnonymousPipeServerStream _stdin = new(PipeDirection.Out);
    private readonly AnonymousPipeServerStream _stdout = new(PipeDirection.In);
    private readonly AnonymousPipeClientStream _stdinReader;
    private readonly AnonymousPipeClientStream _stdoutWriter;
    private readonly StreamWriter _typing;
    private readonly OutputLines _output;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = new();
    private readonly List<ActorSystem> _systems = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _console = Task.CompletedTask;

    public ConsoleHarness(int columns = 80)
    {
        _stdinReader = new AnonymousPipeClientStream(PipeDirection.In, _stdin.ClientSafePipeHandle);
        _stdoutWriter = new AnonymousPipeClientStream(PipeDirection.Out, _stdout.ClientSafePipeHandle);
        _typing = new StreamWriter(_stdin, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        _output = new OutputLines(_stdoutWriter, TimeSpan.FromSeconds(5));
        Console = new ChatConsole(_output, echo: false, () => columns);
        _ = Task.Run(ReadStdout);
    }

    public ChatConsole Console { get; }

    public int Port { get; private set; }

    /// <summary>Every stdout line read so far, in order.</summary>
    public IReadOnlyList<string> Seen
    {
        get
        {
            lock (_seen)
            {
                return _seen.ToArray();
            }
        }
    }

    /// <summary>Starts the node (accepting any key) with the console as its output and its input loop running.</summary>
    public async Task StartAsync(IdentityKeyPair key)
    {
        var system = KamuneSystem.Create("console-node", new KamuneNodeOptions(key, AcceptAllVerifier.Instance), ConfigurationFactory.Empty);
        _systems.Add(system);
        var kamune = KamuneExtension.Get(system);
        var hub = system.ActorOf(SessionHub.Props(kamune.Manager, Console, echo: false, onDial: null));
        Port = ((IPEndPoint)await kamune.ListenAsync("127.0.0.1", 0, hub)).Port;
        _console = Console.RunAsync(new InputLines(new StreamReader(_stdinReader, Encoding.UTF8)), hub, _stop.Token);
    }

    /// <summary>A peer named <paramref name="name"/> dials the node; its session events arrive in the returned channel.</summary>
    public async Task<Channel<object>> DialAsync(string systemName, IdentityKeyPair key, string name)
    {
        // Any name, also one the node must refuse: the far end's checks are what the console tests look at.
        var system = KamuneSystem.Create(systemName, new KamuneNodeOptions(key, AcceptAllVerifier.Instance) { AllowRefusedName = true },
            ConfigurationFactory.ParseString($"kamune.name = {System.Text.Json.JsonSerializer.Serialize(name)}"));
        _systems.Add(system);
        var events = Channel.CreateUnbounded<object>();
        var handler = SessionChannels.Handler(system, events);
        await KamuneExtension.Get(system).DialAsync("127.0.0.1", Port, handler);
        return events;
    }

    public Task TypeAsync(string line) => _typing.WriteLineAsync(line);

    /// <summary>The next stdout line that satisfies <paramref name="match"/>; earlier lines are skipped (and kept in <see cref="Seen"/>).</summary>
    public async Task<string> ExpectAsync(Func<string, bool> match, string what)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(timeout.Token);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no console line {what} within {Patience}; saw:\n{string.Join('\n', Seen)}");
        }
    }

    public Task<string> ExpectAsync(string start) => ExpectAsync(l => l.StartsWith(start, StringComparison.Ordinal), $"starting \"{start}\"");

    public static Task<T> NextAsync<T>(Channel<object> events) => SessionChannels.NextAsync<T>(events);

    private async Task ReadStdout()
    {
        using var reader = new StreamReader(_stdout, Encoding.UTF8);
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_seen)
            {
                _seen.Add(line);
            }

            _lines.Writer.TryWrite(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _console.WaitAsync(Patience);
        foreach (var system in _systems)
        {
            await system.Terminate().WaitAsync(Patience);
        }

        _output.Dispose();
        _typing.Dispose();
        _stdoutWriter.Dispose();
        _stdinReader.Dispose();
        _stdout.Dispose();
        _stop.Dispose();
    }

}

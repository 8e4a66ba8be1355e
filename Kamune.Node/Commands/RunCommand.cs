using System.CommandLine;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Node.Chat;
using Kamune.Node.Cli;
using Kamune.Node.Home;
using Kamune.Node.Hosting;
using Kamune.Node.Json;
using Kamune.Node.Trust;

namespace Kamune.Node.Commands;

/// <summary><c>kamune-node run</c>: a long-running node, driven by a person (chat console) or a program (--json).</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var listen = new Option<string?>("--listen", "-l") { Description = "Accept sessions on HOST:PORT (port 0 picks a free one; default: kamune.listen of the config, unless --dial is given)", HelpName = "HOST:PORT" };
        var dial = new Option<string[]>("--dial", "-d") { Description = "Open a session to HOST:PORT at start (repeatable)", HelpName = "HOST:PORT", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string?>("--name", "-n") { Description = "Name announced to peers (default: kamune.name, else this identity's fingerprint)" };
        var home = CommonOptions.Home();
        var trust = new Option<string?>("--trust") { Description = "Which peer keys to accept: tofu (remember and pin, default), allow-list (kamune-node.allow-list) or any", HelpName = "tofu|allow-list|any" };
        trust.AcceptOnlyFromAmong("tofu", "allow-list", "any");
        var echo = new Option<bool>("--echo") { Description = "Send every received message back on its session (for tests and bench)" };
        var json = new Option<bool>("--json") { Description = "Events as JSON lines on stdout, commands as JSON lines on stdin (see README). Sends are never refused for back-pressure: each session takes them one at a time in the order written, and stdin is read no further while the next command's session has 256 messages queued" };
        var config = new Option<string?>("--config", "-c") { Description = "HOCON file overriding the defaults (hocon/node.conf is an example)", HelpName = "FILE" };

        var command = new Command(
            "run",
            "Run a node: listen, dial, and chat (or script it with --json). It stops on /quit or {\"cmd\":\"quit\"}, Ctrl+C, SIGTERM or SIGHUP (its terminal closed; ignored under nohup), " +
            "closing every session gracefully and exiting 0; at end of stdin too, except a listening node whose stdin is not a terminal " +
            "(nohup, systemd, a script's &), which serves on. A background job (`&`, or Ctrl+Z then `bg`) serves without reading its terminal until `fg`.")
        {
            listen, dial, name, home, trust, echo, json, config,
        };
        command.SetAction((parse, _) => RunAsync(new Options(
            parse.GetValue(listen),
            parse.GetValue(dial) ?? [],
            parse.GetValue(name),
            parse.GetValue(home),
            parse.GetValue(trust),
            parse.GetValue(echo),
            parse.GetValue(json),
            parse.GetValue(config))));
        return command;
    }

    // Peers refuse a name that could pass for something else (PeerName): say so here, before any peer has to.
    private static void CheckOwnName(string name, PublicIdentity identity)
    {
        if (name.Length == 0)
        {
            return;
        }

        try
        {
            PeerName.Validate(name, identity);
        }
        catch (KamuneProtocolException e)
        {
            throw new NodeException($"--name / kamune.name: peers would refuse it: {e.Message}", ExitCodes.Usage);
        }
    }

    private sealed record Options(string? Listen, string[] Dial, string? Name, string? Home, string? Trust, bool Echo, bool Json, string? Config);

    private static async Task<int> RunAsync(Options options)
    {
        // Everything the user typed is checked before anything starts, so a typo costs no identity load or socket.
        var dials = options.Dial.Select(d => PeerAddress.Parse(d, allowPortZero: false, "--dial")).ToArray();
        var listenOption = options.Listen is null ? null : PeerAddress.Parse(options.Listen, allowPortZero: true, "--listen");
        var overrides = options.Name is null ? null : ConfigurationFactory.ParseString($"kamune.name = {JsonSerializer.Serialize(options.Name)}");
        var config = NodeConfig.Load(options.Config, overrides);
        var trustMode = options.Trust is null ? config.Trust : NodeConfig.ParseTrust(options.Trust, "--trust");
        var nodeHome = NodeHome.Resolve(options.Home);
        using var identity = new IdentityStore(nodeHome).Load();
        CheckOwnName(config.Kamune.Name, identity.PublicIdentity);
        var knownPeers = trustMode == TrustMode.Tofu ? KnownPeers.Open(nodeHome.KnownPeersPath) : null;
        var verifier = Verifiers.Create(trustMode, config, knownPeers);

        using var signal = new ShutdownSignal();
        using var stdout = new OutputLines(OutputLines.OpenStandardOutput(), config.ShutdownTimeout, "stdout", Serilog.Log.Logger);
        var console = options.Json ? null : new ChatConsole(stdout, options.Echo);
        INodeOutput output = options.Json ? new JsonLineOutput(stdout) : console!;
        var listening = listenOption is not null || dials.Length == 0;
        var held = console is not null && !listening ? new HeldDialErrors(console) : null;

        await using var runtime = NodeRuntime.Start("kamune-node", config, identity, verifier);
        var hub = runtime.System.ActorOf(
            SessionHub.Props(runtime.Manager, held ?? output, options.Echo, knownPeers is null ? null : knownPeers.ForDial, knownPeers is null ? null : knownPeers.Established), "hub");
        console?.Introduce(identity.PublicIdentity, config.Kamune.Name, trustMode, knownPeers);

        if (listening)
        {
            var address = listenOption ?? new PeerAddress(config.ListenHost, config.ListenPort);
            var bound = await runtime.ListenAsync(address, hub, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            output.Emit(new NodeEvent.Listening(bound));
        }

        var dialTimeout = config.Kamune.DialTimeout + config.Kamune.HandshakeTimeout + TimeSpan.FromSeconds(5);
        var outcomes = await Task.WhenAll(dials.Select(d => hub.Ask<DialOutcome>(new HubDial(d), dialTimeout))).ConfigureAwait(false);
        if (!listening && outcomes.Length > 0 && outcomes.All(o => o.Session is null))
        {
            // Nothing dialed came up and nothing listens: this node has nothing to do.
            // The console held their errors back: they are said once, here, as the node's one error line.
            held?.Stop();
            await CloseAllAsync(hub, config.ShutdownTimeout).ConfigureAwait(false);
            throw new NodeException(string.Join("; ", outcomes.Select(o => o.Error ?? $"cannot reach {o.Address}").Distinct()));
        }

        held?.Release();
        var input = new InputLines(new CommandInput(() => Console.In, listening, signal.Token));
        if (console is not null)
        {
            await console.RunAsync(input, hub, signal.Token).ConfigureAwait(false);
        }
        else
        {
            await JsonCommandLoop(input, hub, output, signal.Token).ConfigureAwait(false);
        }

        // Stopping: stdout that nobody reads must not hold the hub (and with it every session's close) any more.
        stdout.StopWaiting();
        await CloseAllAsync(hub, config.ShutdownTimeout).ConfigureAwait(false);
        await runtime.DrainConnectionsAsync(config.ShutdownTimeout).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>Reads JSON commands until quit, end of input or a signal; a bad line is reported and skipped.</summary>
    private static async Task JsonCommandLoop(InputLines input, IActorRef hub, INodeOutput output, CancellationToken cancellation)
    {
        while (await input.ReadAsync(cancellation).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!JsonProtocol.TryParseCommand(line, out var command, out var error))
            {
                output.Emit(new NodeEvent.Error($"command: {error}"));
                continue;
            }

            switch (command)
            {
                case NodeCommand.Dial dial:
                    if (PeerAddress.TryParse(dial.Address, allowPortZero: false, out var address, out var addressError))
                    {
                        hub.Tell(new HubDial(address!));
                    }
                    else
                    {
                        output.Emit(new NodeEvent.Error($"dial: {addressError}", Address: dial.Address));
                    }

                    break;
                case NodeCommand.Send send:
                    // Waits while the session's queue is full: stdin is read no further (README "Scripting with --json").
                    if (!await HubIntake.SendAsync(hub, send.Session, send.Data, cancellation).ConfigureAwait(false))
                    {
                        return;
                    }

                    break;
                case NodeCommand.Close close:
                    hub.Tell(new HubClose(close.Session));
                    break;
                case NodeCommand.Quit:
                    return;
            }
        }
    }

    /// <summary>Every session sends CLOSE_TRANSPORT and ends, bounded by kamune-node.shutdown-timeout.</summary>
    internal static async Task CloseAllAsync(IActorRef hub, TimeSpan timeout)
    {
        try
        {
            await hub.Ask<AllClosed>(HubCloseAll.Instance, timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            Serilog.Log.Warning("Some sessions did not close within {Timeout}; stopping anyway", timeout);
        }
    }
}

using System.CommandLine;
using Kamune.Node.Bench;
using Kamune.Node.Cli;
using Kamune.Node.Hosting;

namespace Kamune.Node.Commands;

/// <summary><c>kamune-node bench</c>: a load driver against a node running <c>run --echo</c>, like redis-benchmark.</summary>
internal static class BenchCommand
{
    // BytesValue adds 4 bytes and the inner message may be at most 61,439 bytes (protocol.md "Padding").
    private const int MaxSize = 61_435;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var target = new Option<string>("--target", "-t") { Description = "HOST:PORT of a node running `kamune-node run --echo`", Required = true, HelpName = "HOST:PORT" };
        var sessions = new Option<int>("--sessions", "-s") { Description = "Concurrent sessions to open", DefaultValueFactory = _ => 10 };
        var messages = new Option<int>("--messages", "-m") { Description = "Messages per session (each one echoed back)", DefaultValueFactory = _ => 1000 };
        var size = new Option<int>("--size") { Description = $"Message size in bytes (1..{MaxSize})", DefaultValueFactory = _ => 256, HelpName = "BYTES" };
        var parallel = new Option<int>("--parallel", "-p") { Description = "Handshakes run at a time while the sessions open (1 = sequential) [default: min(sessions, 32)]", HelpName = "N" };
        var config = new Option<string?>("--config", "-c") { Description = "HOCON file overriding the defaults", HelpName = "FILE" };
        var warmup = new Option<double>("--warmup", "-w")
        {
            Description = "Untimed rounds of the same load (4 sessions at a time, closed after each round) before measuring: at least this many seconds, then on until the JIT is quiet (at most 10 times as long), so what is measured is the steady state; 0 for none",
            DefaultValueFactory = _ => 2,
            HelpName = "SECONDS",
        };
        sessions.Validators.Add(r => Range(r, r.GetValueOrDefault<int>(), 1, 100_000, "--sessions"));
        messages.Validators.Add(r => Range(r, r.GetValueOrDefault<int>(), 0, 10_000_000, "--messages"));
        size.Validators.Add(r => Range(r, r.GetValueOrDefault<int>(), 1, MaxSize, "--size"));
        parallel.Validators.Add(r => Range(r, r.GetValueOrDefault<int>(), 1, 10_000, "--parallel"));
        warmup.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<double>();
            if (value is < 0 or > 600 || double.IsNaN(value))
            {
                r.AddError($"--warmup: expected 0..600 seconds, got {value}");
            }
        });

        var command = new Command("bench", "Open sessions to an --echo node and measure handshakes/s, messages/s and latency")
        {
            target, sessions, messages, size, parallel, config, warmup,
        };
        command.SetAction((parse, _) => RunAsync(
            PeerAddress.Parse(parse.GetValue(target), allowPortZero: false, "--target"),
            parse.GetValue(sessions), parse.GetValue(messages), parse.GetValue(size), parse.GetResult(parallel) is null ? null : parse.GetValue(parallel),
            parse.GetValue(config), TimeSpan.FromSeconds(parse.GetValue(warmup)), output, error));
        return command;
    }

    private static void Range(System.CommandLine.Parsing.OptionResult result, int value, int min, int max, string name)
    {
        if (value < min || value > max)
        {
            result.AddError($"{name}: expected {min}..{max}, got {value}");
        }
    }

    private static async Task<int> RunAsync(PeerAddress target, int sessions, int messages, int size, int? parallel, string? configFile, TimeSpan warmup, TextWriter output, TextWriter error)
    {
        var config = NodeConfig.Load(configFile);
        var payload = new byte[size];
        SystemRandomSource.Instance.Fill(payload);
        var plan = new LoadPlan(target, sessions, messages, size, config.BenchWindow, Math.Min(sessions, parallel ?? 32));

        // A throwaway identity: the bench measures the protocol, it is not somebody to remember.
        using var identity = IdentityKeyPair.Generate(SystemRandomSource.Instance);
        var driver = new LoadDriver(plan, payload);
        await using var runtime = NodeRuntime.Start("kamune-bench", config, identity, AcceptAllVerifier.Instance);
        var hub = runtime.System.ActorOf(SessionHub.Props(runtime.Manager, driver, echo: false, onDial: null), "hub");
        output.WriteLine($"bench {target}: {sessions} sessions x {messages} messages of {size} bytes, {plan.Window} in flight per session");

        // The one writer of the terminal's progress line; every later line of the report goes through it.
        var progress = new ProgressLine(Console.IsErrorRedirected ? null : error);
        void Say(string line) => progress.WriteLine(output, line);
        var dialTimeout = config.Kamune.DialTimeout + config.Kamune.HandshakeTimeout + TimeSpan.FromSeconds(5);
        LoadReport report;
        try
        {
            if (warmup > TimeSpan.Zero)
            {
                progress.Report($"warm-up: at least {warmup.TotalSeconds:0.#} s, until the JIT is quiet");
                var warm = await driver.WarmUpAsync(hub, warmup, dialTimeout, TimeSpan.FromSeconds(30), config.ShutdownTimeout, progress).ConfigureAwait(false);
                Say($"warm-up      {warm.Elapsed.TotalSeconds:0.#} s of the same load, not counted; " + (warm.JitQuiet
                    ? $"JIT quiet ({warm.CompiledMethods} methods compiled, under {WarmUpGauge.QuietShare:P0} of the last {WarmUpGauge.Window.TotalSeconds:0} s spent compiling)"
                    : $"JIT still compiling at the time limit ({warm.CompiledMethods} methods so far): figures may include JIT work"));
            }

            report = await driver.RunAsync(hub, dialTimeout, TimeSpan.FromSeconds(30), progress).ConfigureAwait(false);
        }
        finally
        {
            // Before the report or the error line: erased, and no update still on its way draws it again.
            progress.Close();
        }

        await RunCommand.CloseAllAsync(hub, config.ShutdownTimeout).ConfigureAwait(false);
        await runtime.DrainConnectionsAsync(config.ShutdownTimeout).ConfigureAwait(false);
        if (report.Established == 0)
        {
            throw new NodeException(report.FirstError ?? $"bench: no session to {target} came up");
        }

        Print(Say, report, plan);
        if (report.Failed > 0)
        {
            throw new NodeException($"bench: {report.Failed} of {sessions} sessions failed; first: {report.FirstError}");
        }

        return ExitCodes.Success;
    }

    private static void Print(Action<string> say, LoadReport report, LoadPlan plan)
    {
        say($"sessions     {report.Established} established, {report.Failed} failed");
        say($"handshakes   {report.Established} in {report.HandshakePhase.TotalSeconds:F2} s = {report.Established / report.HandshakePhase.TotalSeconds:F1} handshakes/s ({plan.ParallelDials} at a time)");
        say($"             latency {Percentiles(report.HandshakeLatency)}");
        if (report.RoundTrips > 0)
        {
            var seconds = report.MessagePhase.TotalSeconds;
            say($"messages     {report.RoundTrips} round trips in {seconds:F2} s = {report.RoundTrips / seconds:F0} messages/s each way ({report.RoundTrips * plan.Size * 2 / seconds / 1e6:F1} MB/s of payload)");
            say($"             round-trip latency {Percentiles(report.RoundTripLatency)}");
        }

        if (report.RetriedSends > 0)
        {
            say($"retried      {report.RetriedSends} sends refused by the session and sent again (first: {report.FirstRefusal})");
        }
    }

    private static string Percentiles(TimeSpan[] values) =>
        string.Join("  ", LoadDriver.ReportedPercentiles.Zip(values, (p, v) =>
            $"{(p == 100 ? "max" : $"p{p:0.#}")} {v.TotalMilliseconds:F2} ms"));
}

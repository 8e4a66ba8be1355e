using System.CommandLine;
using Kamune.Node.Commands;
using Kamune.Node.Hosting;
using Serilog;

namespace Kamune.Node.Cli;

/// <summary>
/// The kamune-node command line. Every failure ends as one line on stderr ("kamune-node: error: ...") and a
/// non-zero exit code; the stack trace only with --verbose.
/// </summary>
public static class NodeCli
{
    public const string ProgramName = "kamune-node";

    public static RootCommand Build(TextWriter output, TextWriter error)
    {
        var root = new RootCommand(
            "Kamune node: secure peer-to-peer messaging (Kamune protocol 0.7).\n" +
            "Exit codes: 0 success, 1 runtime failure (unreachable or refused peer, port in use), " +
            "2 usage or configuration error (bad option, --config file or value; the message names the file and line or the key), 130 interrupted.")
        {
            CommonOptions.Verbose,
            IdentityCommand.Create(output),
            DemoCommand.Create(output),
            RunCommand.Create(),
            BenchCommand.Create(output, error),
        };
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var root = Build(output, error);
        var parse = root.Parse(args);
        var verbose = parse.GetValue(CommonOptions.Verbose);
        NodeLogging.Configure(verbose);
        try
        {
            if (parse.Errors.Count > 0)
            {
                foreach (var line in UsageErrors(parse.Errors))
                {
                    error.WriteLine($"{ProgramName}: error: {line} (see {ProgramName} --help)");
                }

                return ExitCodes.Usage;
            }

            var configuration = new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                // The commands handle Ctrl+C, SIGTERM and SIGHUP themselves, to close every session gracefully first.
                ProcessTerminationTimeout = null,
            };
            return await parse.InvokeAsync(configuration).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return Report(e, verbose, error);
        }
        finally
        {
            await Log.CloseAndFlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One line for the user; the whole exception only when asked for.</summary>
    internal static int Report(Exception e, bool verbose, TextWriter error)
    {
        var (message, code) = e switch
        {
            NodeException node => (node.Message, node.ExitCode),
            KamuneProtocolException protocol => ($"{protocol.Error}: {protocol.Message}", ExitCodes.Failure),
            OperationCanceledException => ("interrupted", ExitCodes.Interrupted),
            Akka.Configuration.ConfigurationException config => ($"configuration: {config.Message}", ExitCodes.Usage),
            _ => ($"{e.Message} ({e.GetType().Name})", ExitCodes.Failure),
        };
        error.WriteLine($"{ProgramName}: error: {OneLine(message)}");
        if (verbose)
        {
            error.WriteLine(e.ToString());
        }

        return code;
    }

    /// <summary>
    /// One line per mistake: System.CommandLine reports an unknown word also as "Required command was not provided",
    /// and lists the allowed values of an option on lines of their own.
    /// </summary>
    internal static IReadOnlyList<string> UsageErrors(IReadOnlyList<System.CommandLine.Parsing.ParseError> errors)
    {
        var lines = errors.Select(e => Named(e, OneLine(e.Message))).Distinct().ToList();
        if (lines.Count > 1)
        {
            lines.RemoveAll(l => l.StartsWith("Required command was not provided", StringComparison.Ordinal));
        }

        return lines;
    }

    // "Argument 'maybe' not recognized" says nothing of where: the option it was given to leads the line.
    private static string Named(System.CommandLine.Parsing.ParseError error, string message) =>
        error.SymbolResult is System.CommandLine.Parsing.OptionResult { Option.Name: { } name } && !message.StartsWith(name, StringComparison.Ordinal)
            ? $"{name}: {message}"
            : message;

    /// <summary>A message of several lines ("Must be one of:" and a value a line) as one: "Must be one of: 'a', 'b'".</summary>
    internal static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length <= 1 ? string.Concat(lines) : $"{lines[0]} {string.Join(", ", lines.Skip(1))}";
    }
}

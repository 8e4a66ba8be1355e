using System.CommandLine;
using Kamune.Node.Commands;
using Kamune.Node.Hosting;
using Kamune.Protocol;
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
        var root = new RootCommand("Kamune node: secure peer-to-peer messaging (Kamune protocol 0.7)")
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
                error.WriteLine($"{ProgramName}: error: {string.Join("; ", parse.Errors.Select(e => e.Message))} (see {ProgramName} --help)");
                return ExitCodes.Usage;
            }

            var configuration = new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                // The commands handle Ctrl+C and SIGTERM themselves, to close every session gracefully first.
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
        error.WriteLine($"{ProgramName}: error: {message}");
        if (verbose)
        {
            error.WriteLine(e.ToString());
        }

        return code;
    }
}

namespace Kamune.Node.Cli;

/// <summary>
/// A failure the user can act on (bad input, missing file, unreachable peer). The CLI prints its message as one
/// line and exits with <see cref="ExitCode"/>; the stack trace only with --verbose.
/// </summary>
public sealed class NodeException : Exception
{
    public NodeException(string message, int exitCode = ExitCodes.Failure, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}

/// <summary>Process exit codes, in the sysexits spirit: 0 success, 1 runtime failure, 2 bad usage.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int Interrupted = 130;
}

using System.CommandLine;

namespace Kamune.Node.Commands;

/// <summary>Options that several commands share, created once so they read and document the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string?> Home() => new("--home")
    {
        Description = "Directory holding identity.pem and known_peers (default: $KAMUNE_HOME, else ~/.config/kamune-net)",
        HelpName = "DIR",
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Also log the actor runtime (Akka, Kamune) and the node's debug lines to stderr, and show stack traces on errors (the node's own warnings are shown without it)",
        Recursive = true,
    };
}

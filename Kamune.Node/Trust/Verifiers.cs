using Kamune.Node.Cli;
using Kamune.Node.Hosting;

namespace Kamune.Node.Trust;

/// <summary>The identity verifier for a trust mode.</summary>
internal static class Verifiers
{
    public static IIdentityVerifier Create(TrustMode mode, NodeConfig config, KnownPeers? knownPeers) => mode switch
    {
        TrustMode.Tofu => knownPeers ?? throw new ArgumentNullException(nameof(knownPeers)),
        TrustMode.Any => AcceptAllVerifier.Instance,
        TrustMode.AllowList => AllowList(config.AllowList),
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "expected tofu, allow-list or any"),
    };

    private static AllowListVerifier AllowList(IReadOnlyList<string> entries)
    {
        if (entries.Count == 0)
        {
            throw new NodeException("--trust allow-list: expected fingerprints in kamune-node.allow-list of the --config file, got none", ExitCodes.Usage);
        }

        try
        {
            // Colon-separated hex is what `identity show` prints; the verifier takes plain hex.
            return AllowListVerifier.FromFingerprints(entries.Select(e => e.Replace(":", string.Empty, StringComparison.Ordinal)));
        }
        catch (ArgumentException e)
        {
            throw new NodeException($"kamune-node.allow-list: {e.Message}", ExitCodes.Usage, e);
        }
    }
}

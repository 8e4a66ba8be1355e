using Akka.Configuration;
using Kamune.Actors.Configuration;
using Kamune.Tests.Support;
using Xunit.Abstractions;

namespace Kamune.Tests.Load;

/// <summary>
/// Two Kamune nodes in one process for the load tests: node A is the TestKit's system, node B a second ActorSystem.
/// Neither caps connections per address or concurrent handshakes, since every dial comes from 127.0.0.1 in bursts.
/// The listen backlog keeps its default (1,024).
/// </summary>
public abstract class TwoNodeLoadTestKit(string name, ulong seedA, ulong seedB, ITestOutputHelper? output = null)
    : TwoNodeTestKit(NodeConfig, $"{name}-a", $"{name}-b", seedA, seedB, output: output)
{
    private static readonly Config NodeConfig = ConfigurationFactory.ParseString(
        "kamune { max-connections-per-address = 0, max-concurrent-handshakes = 0 }").WithFallback(KamuneConfig.Default);
}

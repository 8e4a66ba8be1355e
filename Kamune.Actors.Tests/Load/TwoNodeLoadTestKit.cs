using Akka.Actor;
using Akka.Configuration;
using Kamune.Abstractions;
using Kamune.Actors;
using Kamune.Actors.Configuration;
using Kamune.Identity;
using Xunit.Abstractions;

namespace Kamune.Tests.Load;

/// <summary>
/// Two Kamune nodes in one process for the load tests: node A is the TestKit's system, node B a second ActorSystem.
/// Neither caps connections per address or concurrent handshakes, since every dial comes from 127.0.0.1 in bursts.
/// The listen backlog keeps its default (1,024).
/// </summary>
public abstract class TwoNodeLoadTestKit : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private static readonly Config NodeConfig = ConfigurationFactory.ParseString(
        "kamune { max-connections-per-address = 0, max-concurrent-handshakes = 0 }").WithFallback(KamuneConfig.Default);

    private readonly IdentityKeyPair _keyA;
    private readonly IdentityKeyPair _keyB;

    protected TwoNodeLoadTestKit(string name, ulong seedA, ulong seedB, ITestOutputHelper? output = null)
        : base(NodeConfig, $"{name}-a", output)
    {
        _keyA = IdentityKeyPair.Generate(new DeterministicRandomSource(seedA));
        _keyB = IdentityKeyPair.Generate(new DeterministicRandomSource(seedB));
        NodeA = KamuneExtension.Configure(Sys, new KamuneNodeOptions(_keyA, AcceptAllVerifier.Instance));
        SystemB = KamuneSystem.Create($"{name}-b", new KamuneNodeOptions(_keyB, AcceptAllVerifier.Instance), NodeConfig);
        NodeB = KamuneExtension.Get(SystemB);
    }

    protected ActorSystem SystemB { get; }

    protected KamuneExtension NodeA { get; }

    protected KamuneExtension NodeB { get; }

    void IDisposable.Dispose()
    {
        SystemB.Terminate().Wait(TimeSpan.FromSeconds(20));
        Dispose();
        _keyA.Dispose();
        _keyB.Dispose();
    }
}

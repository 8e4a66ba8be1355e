using Akka.Actor;
using Akka.Configuration;
using Xunit.Abstractions;

namespace Kamune.Tests.Support;

/// <summary>
/// Two Kamune nodes in one process, both on <c>config</c>: node A is the TestKit's own system, node B a second
/// ActorSystem. Identities come from fixed seeds; session randomness is the system's unless a test pins it.
/// </summary>
public abstract class TwoNodeTestKit : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    protected TwoNodeTestKit(
        Config config,
        string nameA,
        string nameB,
        ulong seedA,
        ulong seedB,
        IRandomSource? randomA = null,
        IRandomSource? randomB = null,
        ITestOutputHelper? output = null,
        IFrameObserver? framesA = null,
        IFrameObserver? framesB = null)
        : base(config, nameA, output)
    {
        KeyA = IdentityKeyPair.Generate(new DeterministicRandomSource(seedA));
        KeyB = IdentityKeyPair.Generate(new DeterministicRandomSource(seedB));
        NodeA = KamuneExtension.Configure(Sys, new KamuneNodeOptions(KeyA, AcceptAllVerifier.Instance, randomA) { FrameObserver = framesA });
        SystemB = KamuneSystem.Create(nameB, new KamuneNodeOptions(KeyB, AcceptAllVerifier.Instance, randomB) { FrameObserver = framesB }, config);
        NodeB = KamuneExtension.Get(SystemB);
    }

    protected IdentityKeyPair KeyA { get; }

    protected IdentityKeyPair KeyB { get; }

    protected ActorSystem SystemB { get; }

    protected KamuneExtension NodeA { get; }

    protected KamuneExtension NodeB { get; }

    /// <summary>Releases what a test class adds (more keys); runs after both systems have terminated.</summary>
    protected virtual void DisposeMore()
    {
    }

    void IDisposable.Dispose()
    {
        SystemB.Terminate().Wait(TimeSpan.FromSeconds(20));
        Dispose();
        KeyA.Dispose();
        KeyB.Dispose();
        DisposeMore();
    }
}

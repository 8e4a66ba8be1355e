using System.Net;
using Akka.Configuration;
using Kamune.Tests.Support;

namespace Kamune.Tests.TestKit;

// IFrameObserver's documented contract: an observer that throws fails the connection it was shown, not the node.
public sealed class FailingFrameObserverTests : TwoNodeTestKit
{
    private static readonly Config NodeConfig = ConfigurationFactory.ParseString("akka.loglevel = ERROR").WithFallback(KamuneConfig.Default);

    public FailingFrameObserverTests()
        : base(NodeConfig, "healthy-listener", "failing-dialer", 0xA2, 0xB2, framesB: new ThrowingObserver())
    {
    }

    [Fact]
    public async Task An_observer_that_throws_ends_that_session_before_it_is_established_and_the_next_dial_is_established()
    {
        var listening = CreateTestProbe();
        var failing = CreateTestProbe();
        var healthy = CreateTestProbe();
        var bound = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, listening.Ref);

        await NodeB.DialAsync("127.0.0.1", bound.Port, failing.Ref);
        Assert.Null(failing.ExpectMsg<SessionClosed>(TimeSpan.FromSeconds(20)).SessionId);

        await NodeB.DialAsync("127.0.0.1", bound.Port, healthy.Ref);
        healthy.ExpectMsg<SessionEstablished>(TimeSpan.FromSeconds(20));
    }

    // Throws on its first frame only: the first connection fails, later ones are observed normally.
    private sealed class ThrowingObserver : IFrameObserver
    {
        private int _calls;

        public void OnFrame(FrameDirection direction, EndPoint remote, ReadOnlySpan<byte> payload)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                throw new InvalidOperationException("observer failed");
            }
        }
    }
}

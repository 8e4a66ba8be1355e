using Akka.Configuration;
using Akka.TestKit;
using Kamune.TestKit;

namespace Kamune.Examples.Testing;

/// <summary>
/// Akka.TestKit with virtual time: timers fire only when a test calls <c>Scheduler.Advance</c>, so a timeout test
/// never waits for the clock. The <c>kamune { }</c> settings here are what a PeerPair's sessions run with.
/// </summary>
public abstract class ProtocolTestKit : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config Settings = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.test.single-expect-default = 10s
        kamune.handshake-timeout = 5s
        """).WithFallback(VirtualTime.Config);

    protected ProtocolTestKit()
        : base(Settings)
    {
    }

    protected TestScheduler Scheduler => VirtualTime.Scheduler(Sys);
}

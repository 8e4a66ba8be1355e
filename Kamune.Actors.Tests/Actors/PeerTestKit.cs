using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;

namespace Kamune.Tests.Actors;

/// <summary>TestKit with the virtual-time scheduler: timers fire only when a test calls Advance.</summary>
public abstract class PeerTestKit : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config KitConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.test.timefactor = 1
        # The machine is shared and test classes run in parallel: allow slow hand-offs, never sleep.
        akka.test.single-expect-default = 10s
        # The sessions of a PeerPair read these (PeerPairOptions.FromSystem): no idle timeout, a small send
        # window, no DeliveryAck needed, unless a test says otherwise.
        kamune.idle-timeout = off
        kamune.send-window = 16
        kamune.delivery-window = 0
        """).WithFallback(VirtualTime.Config);

    protected PeerTestKit()
        : base(KitConfig)
    {
    }

    protected TestScheduler Scheduler => VirtualTime.Scheduler(Sys);

    /// <summary>The session settings of this kit's system, for a <see cref="PeerPair"/> to change with <c>with</c>.</summary>
    protected PeerPairOptions Options => PeerPairOptions.FromSystem(Sys);

    /// <summary>
    /// Runs <paramref name="tell"/> while <paramref name="actor"/> processes nothing, so everything told lands in its
    /// mailbox in that order before it takes the first of them.
    /// </summary>
    protected static void WhileSuspended(IActorRef actor, Action tell)
    {
        var suspended = (IInternalActorRef)actor;
        suspended.Suspend();
        try
        {
            tell();
        }
        finally
        {
            suspended.Resume(null);
        }
    }
}

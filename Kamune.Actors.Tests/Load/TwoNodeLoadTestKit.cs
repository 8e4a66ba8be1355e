using System.Diagnostics;
using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
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
        "kamune { max-connections-per-address = 0, max-concurrent-handshakes = 0, accept-rate-per-address = 0 }").WithFallback(KamuneConfig.Default);

    /// <summary>
    /// Node A listens on a free loopback port with a <see cref="CheckingLoadHandler"/>, node B gets one for the sessions
    /// it dials; each handler forwards its session events to its probe.
    /// </summary>
    protected async Task<CheckingNodes> ListenWithCheckingHandlersAsync()
    {
        var eventsA = CreateTestProbe();
        var eventsB = CreateTestProbe();
        var handlerA = Sys.ActorOf(CheckingLoadHandler.Props(eventsA.Ref), "handler-a");
        var handlerB = SystemB.ActorOf(CheckingLoadHandler.Props(eventsB.Ref), "handler-b");
        var listenAddress = await NodeA.ListenAsync("127.0.0.1", 0, handlerA);
        return new CheckingNodes(handlerA, handlerB, eventsA, eventsB, listenAddress, ((IPEndPoint)listenAddress).Port);
    }

    /// <summary>What is left of a test's bounded time; fails the test once it has run out.</summary>
    protected static TimeSpan Left(Stopwatch clock, TimeSpan deadline) =>
        deadline - clock.Elapsed is var left && left > TimeSpan.Zero
            ? left
            : throw new Xunit.Sdk.XunitException($"load test: expected to finish within {deadline}, got {clock.Elapsed} without finishing");

    protected sealed record CheckingNodes(
        IActorRef HandlerA, IActorRef HandlerB, TestProbe EventsA, TestProbe EventsB, EndPoint ListenAddress, int Port);
}

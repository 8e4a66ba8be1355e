using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kamune.Actors.Runtime;
using Kamune.Tests.Support;

namespace Kamune.Tests.Adversarial;
/// <summary>
/// Node A listens; node B holds a healthy session with it the whole time; a <see cref="ScriptedPeer"/> or a fault
/// hits A. What each test checks afterwards is the same: only the hostile session ended, its socket closed, nothing of
/// it left running at A, and the healthy session still carries messages both ways.
/// </summary>
public abstract class HostileNodeTestKit : TwoNodeTestKit
{
    protected static readonly Config NodeConfig = ConfigurationFactory.ParseString("""
        kamune {
          handshake-timeout = 2s
          # Below the wire's 65,535 so a hostile length prefix can exceed it. An honest peer's padding may pick the
          # top bucket (65,495 + 16 in the tunnel), which this limit refuses; so both nodes draw from fixed seeds
          # whose healthy handshake stays below it (protocol.md "Padding").
          max-frame-length = 40000
          max-connections-per-address = 0
          max-concurrent-handshakes = 0
        }
        """).WithFallback(KamuneConfig.Default);

    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    protected HostileNodeTestKit()
        : base(NodeConfig, "hostile-a", "hostile-b", 0xA1, 0xB1, new DeterministicRandomSource(0xA), new DeterministicRandomSource(0xB))
    {
    }

    protected IdentityKeyPair KeyHostile { get; } = IdentityKeyPair.Generate(new DeterministicRandomSource(0xC1));

    protected IdentityKeyPair KeyOther { get; } = IdentityKeyPair.Generate(new DeterministicRandomSource(0xD1));

    protected async Task<(Akka.TestKit.TestProbe A, Akka.TestKit.TestProbe B, int Port, SessionEstablished AtA, SessionEstablished AtB)> HealthySessionAsync()
    {
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe();
        var local = (IPEndPoint)await NodeA.ListenAsync("127.0.0.1", 0, probeA.Ref);
        var dialing = await NodeB.DialAsync("127.0.0.1", local.Port, probeB.Ref);
        var first = probeA.ExpectMsg<object>(Patience);
        var atA = first as SessionEstablished
            ?? throw new Xunit.Sdk.XunitException($"healthy session from {dialing.LocalAddress} to {local} did not establish: {first}");
        var atB = probeB.ExpectMsg<SessionEstablished>(Patience);
        return (probeA, probeB, local.Port, atA, atB);
    }

    protected static async Task AssertFlowsAsync(Akka.TestKit.TestProbe probeA, Akka.TestKit.TestProbe probeB, SessionEstablished atA, SessionEstablished atB)
    {
        atB.Session.Tell(new SendMessage(new byte[] { 7 }), probeB.Ref);
        Assert.Equal(new byte[] { 7 }, probeA.FishForMessage<MessageReceived>(m => m.SessionId == atA.SessionId, Patience).Data.ToArray());
        atA.Session.Tell(new SendMessage(new byte[] { 8 }), probeA.Ref);
        Assert.Equal(new byte[] { 8 }, probeB.FishForMessage<MessageReceived>(m => m.SessionId == atB.SessionId, Patience).Data.ToArray());
        await Task.CompletedTask;
    }

    // Leak check: on node A only the listener and the healthy session's writer and session actor remain; the hostile
    // session's actor (and with it its cipher, replay guard and timers) and its connection writer (its socket) are gone.
    protected async Task AssertOnlyHealthyRemainsAsync()
    {
        var expected = new ManagerState(1, 1, 1, 0, 0);
        var deadline = DateTime.UtcNow + Patience;
        var state = await ManagerStateAsync();
        while (state != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            state = await ManagerStateAsync();
        }

        Assert.Equal(expected, state);
    }

    private protected Task<ManagerState> ManagerStateAsync() => NodeA.Manager.Ask<ManagerState>(GetManagerState.Instance, Patience);

    protected override void DisposeMore()
    {
        KeyHostile.Dispose();
        KeyOther.Dispose();
    }
}

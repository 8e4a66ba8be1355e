using Akka.Actor;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Tests;

/// <summary>
/// The echo node against a session whose send window is full: echoes wait in order, go out once the window frees,
/// and a peer that keeps sending while the window stays full cannot make the node hold more than its cap.
/// </summary>
public sealed class EchoBackPressureTests : IDisposable
{
    private const int Received = 5000;
    private const int Cap = 4096;

    private readonly ActorSystem _system = ActorSystem.Create("echo-back-pressure");

    [Fact]
    public async Task Echoes_refused_for_back_pressure_go_out_in_order_and_at_most_the_cap_is_held()
    {
        var session = _system.ActorOf(Props.Create(() => new RefusingSession()));
        var hub = _system.ActorOf(SessionHub.Props(ActorRefs.Nobody, new Quiet(), echo: true, onDial: null));
        StandInSessions.Establish(hub, session, seed: 7);

        // Every message arrives while the session refuses every echo (its send window stays full).
        for (var i = 0; i < Received; i++)
        {
            hub.Tell(new MessageReceived(session, "SESSION", BitConverter.GetBytes(i), (ulong)i + 1, DateTimeOffset.UnixEpoch));
        }

        // Sync points instead of sleeps: the hub has taken every message (and sent what it sends directly), the session
        // has refused all of those, and the hub has taken every refusal, so what it holds is settled.
        await hub.Ask<HubSessions>(HubListSessions.Instance, TimeSpan.FromSeconds(10));
        await session.Ask<int[]>(RefusingSession.GetAccepted.Instance, TimeSpan.FromSeconds(10));
        await hub.Ask<HubSessions>(HubListSessions.Instance, TimeSpan.FromSeconds(10));
        session.Tell(RefusingSession.OpenWindow.Instance);

        // The window opens: the held echoes go out one by one, oldest first, and nothing beyond the cap was kept.
        var accepted = Array.Empty<int>();
        for (var attempt = 0; attempt < 200 && accepted.Length < Cap; attempt++)
        {
            await Task.Delay(50);
            accepted = await session.Ask<int[]>(RefusingSession.GetAccepted.Instance, TimeSpan.FromSeconds(5));
        }

        await Task.Delay(300);
        accepted = await session.Ask<int[]>(RefusingSession.GetAccepted.Instance, TimeSpan.FromSeconds(5));
        Assert.Equal(Enumerable.Range(0, Cap), accepted);
    }

    [Fact]
    public async Task Refusals_that_come_back_after_later_echoes_were_held_keep_the_oldest_echoes_without_a_gap()
    {
        // The session is an inbox: this test answers each Send itself, in the order that makes the race happen.
        var session = Inbox.Create(_system);
        var hub = _system.ActorOf(SessionHub.Props(ActorRefs.Nobody, new Quiet(), echo: true, onDial: null));
        StandInSessions.Establish(hub, session.Receiver, seed: 8);

        // Ten echoes go out before any refusal is back.
        const int Direct = 10;
        for (var i = 0; i < Direct; i++)
        {
            hub.Tell(new MessageReceived(session.Receiver, "SESSION", BitConverter.GetBytes(i), (ulong)i + 1, DateTimeOffset.UnixEpoch));
        }

        var sent = new List<SendMessage>();
        while (sent.Count < Direct)
        {
            if (await session.ReceiveAsync(TimeSpan.FromSeconds(10)) is SendMessage send)
            {
                sent.Add(send);
            }
        }

        // The first is refused; then far more arrive than the cap, held unsent behind it; then the other nine refusals.
        hub.Tell(new SendRefused(SendRefusalKind.BackPressure, "Back-pressure: window full; retry later.", sent[0].CorrelationId), session.Receiver);
        for (var i = Direct; i < Received; i++)
        {
            hub.Tell(new MessageReceived(session.Receiver, "SESSION", BitConverter.GetBytes(i), (ulong)i + 1, DateTimeOffset.UnixEpoch));
        }

        foreach (var refused in sent.Skip(1))
        {
            hub.Tell(new SendRefused(SendRefusalKind.BackPressure, "Back-pressure: window full; retry later.", refused.CorrelationId), session.Receiver);
        }

        // The window opens: every Send is accepted from now on; the echoes come out one at a time.
        var accepted = new List<int>();
        while (accepted.Count < Cap)
        {
            if (await session.ReceiveAsync(TimeSpan.FromSeconds(10)) is SendMessage send)
            {
                accepted.Add(BitConverter.ToInt32(send.Data.Span));
                hub.Tell(new SendAck((ulong)accepted.Count, send.CorrelationId), session.Receiver);
            }
        }

        // The oldest echoes, in order: the ten refused ones first, then the held ones up to the cap.
        Assert.Equal(Enumerable.Range(0, Cap), accepted);
    }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private sealed class Quiet : INodeOutput
    {
        public void Emit(NodeEvent nodeEvent)
        {
        }
    }

    /// <summary>A session that refuses every Send for back-pressure until told its window opened, then accepts them.</summary>
    private sealed class RefusingSession : ReceiveActor
    {
        private readonly List<int> _accepted = new();
        private bool _open;

        public RefusingSession()
        {
            Receive<SendMessage>(send =>
            {
                if (!_open)
                {
                    Sender.Tell(new SendRefused(SendRefusalKind.BackPressure, "Back-pressure: window full; retry later.", send.CorrelationId));
                    return;
                }

                _accepted.Add(BitConverter.ToInt32(send.Data.Span));
                Sender.Tell(new SendAck((ulong)_accepted.Count, send.CorrelationId));
            });
            Receive<OpenWindow>(_ => _open = true);
            Receive<GetAccepted>(_ => Sender.Tell(_accepted.ToArray()));
        }

        public sealed class OpenWindow
        {
            public static readonly OpenWindow Instance = new();
        }

        public sealed class GetAccepted
        {
            public static readonly GetAccepted Instance = new();
        }
    }
}

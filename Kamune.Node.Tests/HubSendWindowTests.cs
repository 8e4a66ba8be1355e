using Akka.Actor;
using Akka.Event;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Tests;

/// <summary>
/// The hub acts on the session's SendWindowOpen: a send or an echo refused for back-pressure goes again when the
/// session says it has room, not when the hub's fallback timer fires. The timers here are an hour away, so a retry
/// that arrives at all came from SendWindowOpen; the session is an inbox that answers each Send by hand.
/// </summary>
public sealed class HubSendWindowTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly HubRetryDelays FarAway = new(TimeSpan.FromHours(1), TimeSpan.FromHours(1));

    private readonly ActorSystem _system = ActorSystem.Create("hub-send-window");

    [Fact]
    public async Task A_refused_send_goes_again_on_SendWindowOpen_once_however_often_it_is_told()
    {
        var session = Inbox.Create(_system);
        var hub = _system.ActorOf(SessionHub.Props(ActorRefs.Nobody, new QuietOutput(), echo: false, onDial: null, retryDelays: FarAway));
        StandInSessions.Establish(hub, session.Receiver, seed: 21);
        hub.Tell(new HubSend(1, new byte[] { 1 }));
        hub.Tell(new HubSend(1, new byte[] { 2 }));

        var first = await NextSendAsync(session);
        hub.Tell(new SendRefused(SendRefusalKind.BackPressure, "Back-pressure: window full; retry on SendWindowOpen.", first.CorrelationId), session.Receiver);
        hub.Tell(new SendWindowOpen(session.Receiver), session.Receiver);
        hub.Tell(new SendWindowOpen(session.Receiver), session.Receiver);

        // The same message, at once; the second SendWindowOpen finds nothing refused, so what follows the answer is the
        // next message, not the first one twice.
        var retry = await NextSendAsync(session);
        Assert.Same(first.CorrelationId, retry.CorrelationId);
        Assert.Equal([1], retry.Data.ToArray());
        hub.Tell(new SendAck(3, retry.CorrelationId), session.Receiver);
        Assert.Equal([2], (await NextSendAsync(session)).Data.ToArray());
    }

    [Fact]
    public async Task A_held_echo_goes_again_on_SendWindowOpen_and_its_message_is_answered_once_accepted()
    {
        var session = Inbox.Create(_system);
        var hub = _system.ActorOf(SessionHub.Props(ActorRefs.Nobody, new QuietOutput(), echo: true, onDial: null, retryDelays: FarAway));
        StandInSessions.Establish(hub, session.Receiver, seed: 22);
        hub.Tell(new MessageReceived(session.Receiver, StandInSessions.SessionId, new byte[] { 7 }, 1, DateTimeOffset.UnixEpoch));

        var echo = await NextSendAsync(session);
        hub.Tell(new SendRefused(SendRefusalKind.BackPressure, "Back-pressure: window full; retry on SendWindowOpen.", echo.CorrelationId), session.Receiver);
        hub.Tell(new SendWindowOpen(session.Receiver), session.Receiver);

        var retry = await NextSendAsync(session);
        Assert.Same(echo.CorrelationId, retry.CorrelationId);
        hub.Tell(new SendAck(2, retry.CorrelationId), session.Receiver);
        Assert.IsType<DeliveryAck>(await session.ReceiveAsync(Wait));
    }

    [Fact]
    public async Task SendWindowOpen_from_a_session_the_hub_does_not_know_is_dropped_without_an_unhandled_message()
    {
        var unhandled = Inbox.Create(_system);
        _system.EventStream.Subscribe(unhandled.Receiver, typeof(UnhandledMessage));
        var hub = _system.ActorOf(SessionHub.Props(ActorRefs.Nobody, new QuietOutput(), echo: true, onDial: null, retryDelays: FarAway));
        var stranger = Inbox.Create(_system);

        // A session that ended (or never was one of the hub's): its late SendWindowOpen is dropped quietly. The marker
        // after it is unhandled on purpose: the first unhandled message reported is the marker, so the window-open was not.
        hub.Tell(new SendWindowOpen(stranger.Receiver), stranger.Receiver);
        hub.Tell(new Marker());

        var reported = Assert.IsType<UnhandledMessage>(await unhandled.ReceiveAsync(Wait));
        Assert.IsType<Marker>(reported.Message);
    }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    // A DeliveryAck or anything else the hub tells the session on the way is not a Send; the tests wait for Sends.
    private static async Task<SendMessage> NextSendAsync(Inbox session)
    {
        while (true)
        {
            if (await session.ReceiveAsync(Wait) is SendMessage send)
            {
                return send;
            }
        }
    }

    private sealed record Marker;
}

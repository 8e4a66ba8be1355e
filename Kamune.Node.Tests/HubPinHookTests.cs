using System.Net;
using System.Threading.Channels;
using Akka.Actor;
using Kamune.Node.Hosting;
using Kamune.Node.Json;

namespace Kamune.Node.Tests;

/// <summary>
/// The hub's onEstablished hook (where TOFU pins a key): a session the hook refuses once established, because
/// another session or process pinned its name to another key meanwhile, is closed without ever getting a number,
/// and the refusal is the one line the user reads.
/// </summary>
public sealed class HubPinHookTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("hub-pin-hook");

    [Fact]
    public async Task A_session_the_hook_refuses_is_closed_unnumbered_and_the_refusal_is_reported()
    {
        var events = Channel.CreateUnbounded<NodeEvent>();
        var hub = _system.ActorOf(SessionHub.Props(ActorRefs.Nobody, new NodeEventChannel(events.Writer), echo: false, onDial: null,
            onEstablished: (peer, _) => $"name \"{peer.Name}\" is known with key K"));
        var session = Inbox.Create(_system);

        StandInSessions.Establish(hub, session.Receiver, seed: 11);
        Assert.Same(CloseSession.Instance, await session.ReceiveAsync(TimeSpan.FromSeconds(10)));
        hub.Tell(new SessionClosed(session.Receiver, StandInSessions.SessionId, CloseReason.LocalClose, null, "closed by this node",
            new IPEndPoint(IPAddress.Loopback, 1)));

        var error = Assert.IsType<NodeEvent.Error>(await SessionChannels.NextAsync<NodeEvent, NodeEvent>(events.Reader));
        Assert.Equal("incoming session from 127.0.0.1:1 failed (local_close): refused: name \"peer\" is known with key K", error.Message);
        var sessions = await hub.Ask<HubSessions>(HubListSessions.Instance, TimeSpan.FromSeconds(10));
        Assert.Empty(sessions.Sessions);
    }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

}

using Akka.Actor;
using Kamune.Node.Cli;
using Kamune.Node.Json;

namespace Kamune.Node.Hosting;

// The protocol of the SessionHub: what the console, the JSON command loop, the demo and the bench tell it, and what
// it answers. The hub's rules live in plain classes beside it (SessionNumbers, DialBook, EchoBook).

/// <summary>Where the hub's events go: the JSON line writer or the chat console. Called from the hub's thread only.</summary>
public interface INodeOutput
{
    void Emit(NodeEvent nodeEvent);
}

/// <summary>
/// An output that sends on sessions itself (the bench) and takes back its sends the session refused (back-pressure:
/// kamune.send-window full) instead of hearing them as errors. Called from the hub's thread only.
/// </summary>
internal interface IRefusedSendHandler
{
    void OnSendRefused(int session, string reason);
}

/// <summary>
/// The hub's fallback timers for what a session refused for back-pressure: the first delay of a commanded send's
/// retry (doubling while it stays refused) and an echo's. The session's SendWindowOpen retries sooner; tests make
/// these long to see that it does.
/// </summary>
internal sealed record HubRetryDelays(TimeSpan FirstSend, TimeSpan Echo)
{
    public static readonly HubRetryDelays Default = new(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(5));
}

/// <summary>Dial <paramref name="Address"/>; the asker gets a <see cref="DialOutcome"/> once the session is up or has failed.</summary>
internal sealed record HubDial(PeerAddress Address);

/// <summary>
/// The end of a <see cref="HubDial"/>: the session number and its actor, or why there is none. A caller that sends
/// on the session directly (the bench) names the hub as sender, so the hub still hears every SendAck and SendRefused.
/// </summary>
internal sealed record DialOutcome(PeerAddress Address, int? Session, string? Error, IActorRef? Actor = null);

/// <summary>
/// Send <paramref name="Data"/> on session <paramref name="Session"/>, after every message commanded before it. Never
/// refused for back-pressure: the message waits its turn in the hub. Ask it (<see cref="HubIntake.SendAsync"/>) to be
/// answered with <see cref="HubTaken"/> once the next command may follow, which is how the command intake stops
/// reading stdin while a session's queue is full; told without asking it is queued all the same.
/// </summary>
internal sealed record HubSend(int Session, ReadOnlyMemory<byte> Data);

/// <summary>The hub took a <see cref="HubSend"/> and has room for the next command.</summary>
internal sealed class HubTaken
{
    public static readonly HubTaken Instance = new();

    private HubTaken()
    {
    }
}

/// <summary>Close session <paramref name="Session"/> gracefully once every message commanded before it went out.</summary>
internal sealed record HubClose(int Session);

/// <summary>Close every session gracefully; answered with <see cref="AllClosed"/> once none is left.</summary>
internal sealed class HubCloseAll
{
    public static readonly HubCloseAll Instance = new();

    private HubCloseAll()
    {
    }
}

internal sealed class AllClosed
{
    public static readonly AllClosed Instance = new();

    private AllClosed()
    {
    }
}

/// <summary>Answered with <see cref="HubSessions"/>: the live sessions, for /peers.</summary>
internal sealed class HubListSessions
{
    public static readonly HubListSessions Instance = new();

    private HubListSessions()
    {
    }
}

internal sealed record HubSessionInfo(int Number, string SessionId, PeerInfo Peer, SessionRole Role);

internal sealed record HubSessions(IReadOnlyList<HubSessionInfo> Sessions);

/// <summary>How a command intake (the JSON command loop, the chat console) hands the hub a send.</summary>
internal static class HubIntake
{
    /// <summary>
    /// Hands the hub one send and waits until it may take the next command; false once <paramref name="cancellation"/>
    /// fired (Ctrl+C, SIGTERM), so the intake stops waiting for a session that does not move.
    /// </summary>
    public static async Task<bool> SendAsync(IActorRef hub, int session, ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        try
        {
            await hub.Ask<HubTaken>(new HubSend(session, data), cancellation).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>How the hub's events name peers and close reasons.</summary>
internal static class HubEvents
{
    /// <summary>The JSON/console form of a peer.</summary>
    public static PeerInfo Describe(RemotePeer peer) => new(peer.Name, peer.Identity, PeerAddress.Format(peer.Address));

    /// <summary>The close reasons as the JSON schema names them.</summary>
    public static string ReasonText(CloseReason reason) => reason switch
    {
        CloseReason.PeerClosed => "peer_closed",
        CloseReason.ConnectionLost => "connection_lost",
        CloseReason.ProtocolError => "protocol_error",
        CloseReason.LocalClose => "local_close",
        CloseReason.Timeout => "timeout",
        CloseReason.Rejected => "rejected",
        _ => reason.ToString().ToLowerInvariant(),
    };
}

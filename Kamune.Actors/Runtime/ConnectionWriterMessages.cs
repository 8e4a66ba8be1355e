using System.Net;
using Akka;
using Akka.Actor;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Kamune.Actors.Runtime;

// What a ConnectionWriter is given and what it tells its parent (the manager): the TCP side of its contract.

/// <summary>The TCP connection a <see cref="ConnectionWriter"/> runs: one the listener accepted, or one to dial.</summary>
internal abstract record ConnectionTarget
{
    public sealed record Accepted(Flow<ByteString, ByteString, NotUsed> Flow, EndPoint LocalAddress, EndPoint RemoteAddress)
        : ConnectionTarget;

    /// <param name="RemoteAddress">The address to dial.</param>
    /// <param name="ConnectTimeout">How long the TCP connect may take before the dial fails (kamune.dial-timeout).</param>
    /// <param name="FirstFrameLength">The only length the peer's first frame may declare (KamuneFraming.FirstFrameLength); null: any.</param>
    public sealed record Outgoing(EndPoint RemoteAddress, TimeSpan ConnectTimeout, int? FirstFrameLength = null) : ConnectionTarget;
}

/// <summary>Writer to parent: the socket is connected; create the session and send <see cref="AttachPeer"/>.</summary>
internal sealed record ConnectionOpened(EndPoint LocalAddress, EndPoint RemoteAddress) : IRuntimeMessage;

/// <summary>Writer to parent: the socket never connected (refused, unreachable, dial timeout). The writer stops.</summary>
internal sealed record ConnectionNotOpened(string Reason) : IRuntimeMessage;

/// <summary>Parent to writer: the session actor that reads the inbound frames and writes through this writer.</summary>
internal sealed record AttachPeer(IActorRef Peer) : IRuntimeMessage;

/// <summary>
/// Asks a writer what it holds for its peer right now (<see cref="OutboundHeld"/>): an operator's or a test's view of
/// the outbound bound (kamune.outbound-max-frames / outbound-max-bytes).
/// </summary>
internal sealed class GetOutboundHeld : IRuntimeMessage
{
    public static readonly GetOutboundHeld Instance = new();

    private GetOutboundHeld()
    {
    }
}

/// <summary>Frames and payload bytes a writer holds for its peer now, and the most it held at once.</summary>
internal sealed record OutboundHeld(int Frames, long Bytes, int PeakFrames, long PeakBytes) : IRuntimeMessage;

/// <summary>What a writer sends itself: its timers and the end of its socket (never sent by anyone else).</summary>
internal static class ConnectionWriterSignals
{
    internal sealed class SocketClosed : IRuntimeMessage
    {
        public static readonly SocketClosed Instance = new();

        private SocketClosed()
        {
        }
    }

    internal sealed class CloseTimedOut : IRuntimeMessage
    {
        public static readonly CloseTimedOut Instance = new();

        private CloseTimedOut()
        {
        }
    }

    internal sealed class DeadlineCheck : IRuntimeMessage
    {
        public static readonly DeadlineCheck Instance = new();

        private DeadlineCheck()
        {
        }
    }

    internal sealed class DialTimedOut : IRuntimeMessage
    {
        public static readonly DialTimedOut Instance = new();

        private DialTimedOut()
        {
        }
    }
}

/// <summary>The connection was cut on purpose (session abort, write timeout, writer stopped): not a socket error.</summary>
internal sealed class ConnectionAbortedException(string message) : Exception(message);

using Akka.Actor;
using Akka.IO;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// Stand-ins for PeerActor that speak only the connection contract (ConnectionMessages.cs), so the transport is
// tested alone: convention 1, "each layer testable alone".

/// <summary>Writes every inbound frame back; takes the next frame only once the echo was accepted (end-to-end back-pressure).</summary>
internal sealed class EchoSession : ReceiveActor
{
    private IActorRef _stream = ActorRefs.Nobody;

    public EchoSession(IActorRef connection)
    {
        Receive<ConnectionInit>(init => init.Inbound.Tell(FrameAck.Instance));
        Receive<FrameReceived>(frame =>
        {
            _stream = Sender;
            connection.Tell(new WriteFrame(frame.Payload));
        });
        Receive<FrameWritten>(_ => _stream.Tell(FrameAck.Instance));
        // Held behind the full queue: the next frame is read only once it is written.
        Receive<FrameHeld>(_ => { });
        Receive<ConnectionCompleted>(_ =>
        {
            connection.Tell(new CloseConnection(false));
            Context.Stop(Self);
        });
        Receive<ConnectionFailed>(_ => Context.Stop(Self));
    }

    public static Props Props(SessionConnection c) => Akka.Actor.Props.Create(() => new EchoSession(c.Connection));
}

/// <summary>Fails on its first inbound frame: the supervision test's broken session.</summary>
internal sealed class CrashingSession : ReceiveActor
{
    public CrashingSession()
    {
        Receive<ConnectionInit>(init => init.Inbound.Tell(FrameAck.Instance));
        Receive<FrameReceived>(_ => throw new InvalidOperationException("session bug on first frame"));
    }

    public static Props Props(SessionConnection c) => Akka.Actor.Props.Create(() => new CrashingSession());
}

/// <summary>A frame payload seen by a <see cref="DrivingSession"/>, reported to its handler.</summary>
internal sealed record FrameSeen(int Index, byte[] Payload);

/// <summary>The connection of a <see cref="DrivingSession"/> completed or failed; reported to its handler.</summary>
internal sealed record StreamEnded(Exception? Cause);

/// <summary>Writes frames 0..count-1 (each 4-byte big-endian index + filler) one per FrameWritten and reports what comes back.</summary>
internal sealed class DrivingSession : ReceiveActor
{
    private int _sent;
    private int _seen;

    public DrivingSession(IActorRef connection, IActorRef handler, int count, int size)
    {
        Receive<ConnectionInit>(init =>
        {
            init.Inbound.Tell(FrameAck.Instance);
            if (count > 0)
            {
                connection.Tell(new WriteFrame(Frame(_sent++, size)));
            }
        });
        // Paced by FrameWritten alone: a frame held behind the full queue waits for its own.
        Receive<FrameHeld>(_ => { });
        Receive<FrameWritten>(_ =>
        {
            if (_sent < count)
            {
                connection.Tell(new WriteFrame(Frame(_sent++, size)));
            }
        });
        Receive<FrameReceived>(frame =>
        {
            handler.Tell(new FrameSeen(_seen++, frame.Payload.ToArray()));
            Sender.Tell(FrameAck.Instance);
        });
        Receive<ConnectionCompleted>(_ =>
        {
            handler.Tell(new StreamEnded(null));
            Context.Stop(Self);
        });
        Receive<ConnectionFailed>(failed =>
        {
            handler.Tell(new StreamEnded(failed.Cause));
            Context.Stop(Self);
        });
        Receive<CloseConnection>(close => connection.Tell(close));
    }

    public static Props Props(SessionConnection c, int count, int size) =>
        Akka.Actor.Props.Create(() => new DrivingSession(c.Connection, c.Handler, count, size));

    public static ByteString Frame(int index, int size)
    {
        var bytes = new byte[Math.Max(size, 4)];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes, index);
        for (var i = 4; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(index + i);
        }

        return ByteString.FromBytes(bytes);
    }
}

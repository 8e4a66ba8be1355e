using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.IO;
using Kamune.Actors.Configuration;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// One real loopback connection per test; the remote side is a plain socket so every byte is checked.
public sealed class ConnectionWriterTests : ConnectionWriterTestKit
{
    [Fact]
    public async Task Writer_stops_acknowledging_frames_while_the_remote_does_not_read_and_then_delivers_all_in_order()
    {
        const int total = 300;
        const int size = 60_000;
        var (writer, remote, _) = await ConnectAsync(Settings("kamune.outbound-buffer = 2"));

        var acked = 0;
        for (; acked < total; acked++)
        {
            writer.Tell(new WriteFrame(DrivingSession.Frame(acked, size)));
            // The writer answers FrameWritten only when the bounded queue takes the frame; silence means back-pressure.
            if (ReceiveOne(TimeSpan.FromSeconds(1)) is not FrameWritten)
            {
                break;
            }
        }

        Assert.True(acked < total, $"expected the writer to stall before {total} frames of {size} bytes, got {acked} acknowledged");

        var reading = ReadFramesAsync(remote, total);
        for (acked++; acked < total; acked++)
        {
            ExpectMsg<FrameWritten>(TimeSpan.FromSeconds(10));
            writer.Tell(new WriteFrame(DrivingSession.Frame(acked, size)));
        }

        ExpectMsg<FrameWritten>(TimeSpan.FromSeconds(10));
        var frames = await reading.WaitAsync(TimeSpan.FromSeconds(20));
        for (var i = 0; i < total; i++)
        {
            Assert.Equal(DrivingSession.Frame(i, size).ToArray(), frames[i]);
        }
    }

    [Fact]
    public async Task Graceful_close_sends_the_queued_frames_then_closes_the_socket_and_the_writer_stops_with_its_session()
    {
        var peer = CreateTestProbe();
        var (writer, remote, _) = await ConnectAsync(Settings(), peer);
        Watch(writer);

        for (var i = 0; i < 3; i++)
        {
            writer.Tell(new WriteFrame(DrivingSession.Frame(i, 100)), peer.Ref);
        }

        writer.Tell(new CloseConnection(false), peer.Ref);
        var stream = remote.GetStream();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(DrivingSession.Frame(i, 100).ToArray(), await RawFrames.ReadAsync(stream));
        }

        Assert.Null(await RawFrames.ReadAsync(stream).WaitAsync(TimeSpan.FromSeconds(5)));
        Sys.Stop(peer.Ref);
        ExpectTerminated(writer);
    }

    [Fact]
    public async Task A_graceful_close_requested_while_frames_wait_for_the_socket_sends_them_all_in_order_first()
    {
        const int total = 150;
        var peer = CreateTestProbe();
        var (writer, remote, _) = await ConnectAsync(
            Settings("kamune { outbound-buffer = 2, outbound-max-frames = 256, outbound-max-bytes = 16 MiB }"), peer);

        // The remote reads nothing yet: 9 MB is more than the kernel's socket buffers take (tcp_wmem caps the send
        // buffer at 4 MiB, the remote's receive window is 4 KiB), so many frames wait in the writer at the close.
        for (var i = 0; i < total; i++)
        {
            writer.Tell(new WriteFrame(DrivingSession.Frame(i, 60_000)), peer.Ref);
        }

        var held = await writer.Ask<OutboundHeld>(GetOutboundHeld.Instance, TimeSpan.FromSeconds(5));
        Assert.True(held.Frames > 2, $"expected frames waiting behind the full queue of 2, got {held.Frames} held");
        writer.Tell(new CloseConnection(false), peer.Ref);
        var frames = await ReadFramesAsync(remote, total).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.All(Enumerable.Range(0, total), i => Assert.Equal(DrivingSession.Frame(i, 60_000).ToArray(), frames[i]));
        Assert.Null(await RawFrames.ReadAsync(remote.GetStream()).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.All(peer.ReceiveN(total, TimeSpan.FromSeconds(5)), message => Assert.IsType<FrameWritten>(message));
    }

    [Fact]
    public async Task Abort_resets_the_connection()
    {
        var peer = CreateTestProbe();
        var (writer, remote, _) = await ConnectAsync(Settings(), peer);

        writer.Tell(new CloseConnection(true), peer.Ref);

        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            // A reset surfaces as an IOException; a FIN would return 0 and fail this test.
            var buffer = new byte[16];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (await remote.GetStream().ReadAsync(buffer, cts.Token) > 0)
            {
            }
        });
        peer.ExpectMsg<ConnectionFailed>();
    }

    [Fact]
    public async Task Session_stopping_without_a_close_closes_the_socket_and_stops_the_writer()
    {
        var peer = CreateTestProbe();
        var (writer, remote, _) = await ConnectAsync(Settings(), peer);
        Watch(writer);

        Sys.Stop(peer.Ref);

        ExpectTerminated(writer);
        Assert.True(await RawFrames.ClosedWithinAsync(remote, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Inbound_frames_reach_the_session_in_order_one_per_acknowledgement()
    {
        var peer = CreateTestProbe();
        var (_, remote, stream) = await ConnectAsync(Settings(), peer);

        for (var i = 0; i < 5; i++)
        {
            await RawFrames.WriteAsync(remote.GetStream(), DrivingSession.Frame(i, 1000).ToArray());
        }

        for (var i = 0; i < 5; i++)
        {
            var frame = peer.ExpectMsg<FrameReceived>();
            Assert.Equal(DrivingSession.Frame(i, 1000).ToArray(), frame.Payload.ToArray());
            // Until this ack the next frame must not come: the session paces its own input.
            if (i == 0)
            {
                peer.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
            }

            stream.Tell(FrameAck.Instance);
        }
    }

    [Fact]
    public async Task Oversized_inbound_frame_fails_the_session_with_FrameTooLarge_and_drops_the_connection()
    {
        var peer = CreateTestProbe();
        var (_, remote, _) = await ConnectAsync(Settings("kamune.max-frame-length = 1024"), peer);

        var header = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(header, 1025);
        await remote.GetStream().WriteAsync(header);

        var failed = peer.ExpectMsg<ConnectionFailed>();
        var error = Assert.IsType<KamuneProtocolException>(failed.Cause);
        Assert.Equal(KamuneError.FrameTooLarge, error.Error);
        Assert.True(await RawFrames.ClosedWithinAsync(remote, TimeSpan.FromSeconds(5)));
    }

    private static async Task<List<byte[]>> ReadFramesAsync(TcpClient remote, int count)
    {
        var frames = new List<byte[]>(count);
        var stream = remote.GetStream();
        while (frames.Count < count)
        {
            frames.Add(await RawFrames.ReadAsync(stream) ?? throw new IOException($"expected {count} frames, got {frames.Count} before close"));
        }

        return frames;
    }
}

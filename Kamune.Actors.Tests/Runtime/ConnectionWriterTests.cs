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
    public async Task Writer_holds_frames_while_the_remote_does_not_read_and_then_delivers_all_in_order()
    {
        const int total = 300;
        const int size = 60_000;
        var (writer, remote, _) = await ConnectAsync(Settings("kamune.outbound-buffer = 2"));

        var acked = 0;
        for (; acked < total; acked++)
        {
            writer.Tell(new WriteFrame(DrivingSession.Frame(acked, size)));
            // FrameWritten when the bounded queue takes the frame; FrameHeld, at once, when it is full: back-pressure.
            if (ExpectMsg<object>(TimeSpan.FromSeconds(10)) is FrameHeld)
            {
                break;
            }
        }

        Assert.True(acked < total, $"expected the writer to stall before {total} frames of {size} bytes, got {acked} acknowledged");

        var reading = ReadFramesAsync(remote, total);
        for (acked++; acked < total; acked++)
        {
            FishForMessage<FrameWritten>(_ => true, TimeSpan.FromSeconds(10));
            writer.Tell(new WriteFrame(DrivingSession.Frame(acked, size)));
        }

        FishForMessage<FrameWritten>(_ => true, TimeSpan.FromSeconds(10));
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
        var (written, heldAnswers) = CountAnswers(peer, total);
        Assert.Equal(total, written);
        Assert.True(heldAnswers > 0, "expected frames held behind the full queue to be answered FrameHeld");
    }

    [Fact]
    public async Task A_frame_held_behind_the_full_queue_is_answered_FrameHeld_at_once_and_FrameWritten_once_the_queue_takes_it()
    {
        var peer = CreateTestProbe();
        var (writer, remote, _) = await ConnectAsync(
            Settings("kamune { outbound-buffer = 2, outbound-max-frames = 256, outbound-max-bytes = 16 MiB }"), peer);

        // The remote reads nothing: frames go into the queue until the kernel's buffers and the queue are full; the
        // first frame held behind it is answered at once, FrameHeld, while nothing is read.
        var sent = 0;
        while (true)
        {
            writer.Tell(new WriteFrame(DrivingSession.Frame(sent++, 60_000)), peer.Ref);
            if (peer.ExpectMsg<object>() is FrameHeld)
            {
                break;
            }
        }

        // Once the remote reads, that frame and every later one gets exactly one FrameWritten, and nothing more.
        var reading = ReadFramesAsync(remote, sent);
        var (written, heldAnswers) = CountAnswers(peer, 1);
        Assert.Equal((1, 0), (written, heldAnswers));
        peer.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var frames = await reading.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.All(Enumerable.Range(0, sent), i => Assert.Equal(DrivingSession.Frame(i, 60_000).ToArray(), frames[i]));
    }

    [Fact]
    public async Task A_frame_written_after_the_close_was_requested_is_answered_FrameDropped_and_never_sent()
    {
        var peer = CreateTestProbe();
        var (writer, remote, _) = await ConnectAsync(Settings(), peer);

        writer.Tell(new WriteFrame(DrivingSession.Frame(0, 100)), peer.Ref);
        writer.Tell(new CloseConnection(false), peer.Ref);
        writer.Tell(new WriteFrame(DrivingSession.Frame(1, 100)), peer.Ref);

        // The inbound side's ConnectionCompleted may come between: it is the stream stage's, not the writer's answer.
        peer.FishForMessage<FrameWritten>(_ => true);
        peer.FishForMessage<FrameDropped>(_ => true);
        var stream = remote.GetStream();
        Assert.Equal(DrivingSession.Frame(0, 100).ToArray(), await RawFrames.ReadAsync(stream));
        Assert.Null(await RawFrames.ReadAsync(stream).WaitAsync(TimeSpan.FromSeconds(5)));
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

    // Every frame is answered at once, FrameWritten or FrameHeld, and a held one FrameWritten later: receives until
    // `written` FrameWritten.
    private static (int Written, int Held) CountAnswers(Akka.TestKit.TestProbe peer, int written)
    {
        var (seen, held) = (0, 0);
        while (seen < written)
        {
            switch (peer.ExpectMsg<object>(TimeSpan.FromSeconds(10)))
            {
                case FrameWritten:
                    seen++;
                    break;
                case FrameHeld:
                    held++;
                    break;
                case var other:
                    throw new InvalidOperationException($"expected FrameWritten or FrameHeld, got {other}");
            }
        }

        return (seen, held);
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

using System.Diagnostics;
using System.Net.Sockets;
using Akka.Actor;
using Akka.IO;
using Akka.TestKit;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// Issue 16 item 1, the writer's side, over a real loopback socket: what a connection holds for a peer that does not
// read stays within outbound-max-frames / outbound-max-bytes, and a peer that keeps a frame waiting past
// write-timeout (counted from when the session handed it over, not from the socket's last write) is cut off; the
// session hears ConnectionFailed with KamuneError.PeerNotReading before the socket goes.
public sealed class PeerNotReadingTests : ConnectionWriterTestKit
{
    // send-window 8 (the window the tests write within): 4 + 8 frames fit the bound of 24, as KamuneSettings requires.
    private const string Bounds = "kamune { write-timeout = 2s, outbound-buffer = 4, send-window = 8, outbound-max-frames = 24, outbound-max-bytes = 1 MiB }";
    private const string TrickleBounds = "kamune { write-timeout = 2s, outbound-buffer = 4, outbound-max-frames = 128, outbound-max-bytes = 8 MiB }";
    private const int MaxFrames = 24;
    private const long MaxBytes = 1024 * 1024;

    [Fact]
    public async Task A_peer_that_never_reads_is_cut_off_after_write_timeout_and_the_writer_held_no_more_than_its_bound()
    {
        var session = CreateTestProbe();
        var (writer, remote, _) = await ConnectAsync(Settings(Bounds), session);
        var clock = Stopwatch.StartNew();

        // A session within its budget: at most 8 frames unacknowledged, the next one only for an acknowledgement.
        var failed = WriteWithinWindow(session, writer, window: 8, ByteString.FromBytes(new byte[60_000]), out var acknowledged);

        Assert.Equal(KamuneError.PeerNotReading, failed.Error);
        Assert.StartsWith("write deadline: expected the peer to read every frame within 00:00:02", failed.Message);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2), $"expected the cut after write-timeout, got it after {clock.Elapsed}");
        Assert.True(acknowledged > 0, "expected the socket to take frames before the peer's buffers filled");
        await AssertHeldWithinBound(writer, remote);
    }

    [Fact]
    public async Task A_session_that_writes_past_the_bound_is_told_PeerNotReading_and_the_writer_never_holds_more()
    {
        var session = CreateTestProbe();
        var (writer, remote, _) = await ConnectAsync(Settings(Bounds), session);

        // No window at all: 400 frames of 60,000 bytes (24 MB) handed over without waiting, far past what the kernel
        // buffers and the bound can take together.
        var frame = ByteString.FromBytes(new byte[60_000]);
        for (var i = 0; i < 400; i++)
        {
            writer.Tell(new WriteFrame(frame), session.Ref);
        }

        var failed = session.FishForMessage<ConnectionFailed>(_ => true, TimeSpan.FromSeconds(20));
        var error = Assert.IsType<KamuneProtocolException>(failed.Cause);
        Assert.Equal(KamuneError.PeerNotReading, error.Error);
        Assert.StartsWith($"outbound bound: expected at most {MaxFrames} frames and {MaxBytes} bytes held for the peer", error.Message);
        await AssertHeldWithinBound(writer, remote);
    }

    [Fact]
    public async Task A_peer_that_reads_a_trickle_is_cut_off_although_the_socket_keeps_taking_frames()
    {
        var session = CreateTestProbe();
        var (writer, remote, _) = await ConnectAsync(Settings(TrickleBounds), session);
        // About 1.5 MB/s: the kernel lets the socket take more every second or less, well within write-timeout, while
        // the frames held behind it (up to 104 of 60,000 bytes, about 4 s of reading) wait longer than that in total.
        using var stop = new CancellationTokenSource();
        var trickle = TrickleAsync(remote, bytes: 150_000, every: TimeSpan.FromMilliseconds(100), stop.Token);
        var acknowledgedAt = new List<TimeSpan>();
        var clock = Stopwatch.StartNew();

        var failed = WriteWithinWindow(session, writer, window: 100, ByteString.FromBytes(new byte[60_000]), out _, () => acknowledgedAt.Add(clock.Elapsed));
        var cutAt = clock.Elapsed;
        await stop.CancelAsync();
        await trickle;

        Assert.Equal(KamuneError.PeerNotReading, failed.Error);
        Assert.StartsWith("write deadline:", failed.Message);
        // The old rule (a timer restarted whenever the socket took a frame) would never have fired here: the socket
        // took frames up to the end, never pausing as long as write-timeout.
        var longestPause = acknowledgedAt.Zip(acknowledgedAt.Skip(1), (a, b) => b - a).Max();
        Assert.True(longestPause < TimeSpan.FromSeconds(2), $"expected the socket to take a frame at least every 2 s, got a pause of {longestPause}");
        Assert.Contains(acknowledgedAt, at => at > cutAt - TimeSpan.FromSeconds(2));
        Assert.True(await RawFrames.ClosedWithinAsync(remote, TimeSpan.FromSeconds(5)));
    }

    // Plays a session that keeps at most `window` frames unacknowledged until it is told the connection failed.
    private static KamuneProtocolException WriteWithinWindow(
        TestProbe session, IActorRef writer, int window, ByteString frame, out int acknowledged, Action? onAck = null)
    {
        for (var i = 0; i < window; i++)
        {
            writer.Tell(new WriteFrame(frame), session.Ref);
        }

        acknowledged = 0;
        while (true)
        {
            switch (session.ReceiveOne(TimeSpan.FromSeconds(30)))
            {
                case FrameWritten:
                    acknowledged++;
                    onAck?.Invoke();
                    writer.Tell(new WriteFrame(frame), session.Ref);
                    break;
                case FrameHeld:
                    // Taken into the writer's backlog: the window stays taken until its FrameWritten.
                    break;
                case ConnectionFailed { Cause: KamuneProtocolException error }:
                    return error;
                case var other:
                    throw new InvalidOperationException($"expected FrameWritten, FrameHeld or ConnectionFailed, got {other?.GetType().Name ?? "nothing within 30 s"}");
            }
        }
    }

    // The writer's own count of what it held at most, then the socket: reset, not closed gracefully.
    private async Task AssertHeldWithinBound(IActorRef writer, TcpClient remote)
    {
        var held = await writer.Ask<OutboundHeld>(GetOutboundHeld.Instance, TimeSpan.FromSeconds(5));
        Assert.InRange(held.PeakFrames, 4, MaxFrames);
        Assert.InRange(held.PeakBytes, 4 * 60_000, MaxBytes);
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            var buffer = new byte[64 * 1024];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (await remote.GetStream().ReadAsync(buffer, cts.Token) > 0)
            {
            }
        });
    }

    private static async Task TrickleAsync(TcpClient remote, int bytes, TimeSpan every, CancellationToken stop)
    {
        var buffer = new byte[bytes];
        try
        {
            // At least the whole buffer per tick: one receive returns no more than the small receive window holds.
            while (!stop.IsCancellationRequested && await remote.GetStream().ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, stop) > 0)
            {
                await Task.Delay(every, stop);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Stopped by the test, or the connection was reset: either is the end of the trickle.
        }
    }
}

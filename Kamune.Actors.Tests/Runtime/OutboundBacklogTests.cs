using Akka.IO;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// Issue 16 item 1, the writer's rules without an ActorSystem: what a connection holds for its peer is bounded in
// frames and bytes, and the deadline runs from the oldest frame held, whatever the socket took meanwhile.
public sealed class OutboundBacklogTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static ByteString Frame(int size, byte mark = 0) => ByteString.FromBytes(Enumerable.Repeat(mark, size).ToArray());

    [Fact]
    public void Frames_go_into_the_queue_while_it_has_room_and_then_wait_in_order_until_it_takes_one()
    {
        var queue = new OutboundQueue.Handle(capacity: 2);
        var backlog = new OutboundBacklog<string>(queue, new OutboundLimits(10, 10_000, Deadline));
        var taken = new List<string>();

        foreach (var (name, index) in new[] { "a", "b", "c", "d" }.Select((name, index) => (name, index)))
        {
            Assert.Null(backlog.Add(Frame(10, (byte)index), name, TimeSpan.Zero, taken));
        }

        Assert.Equal(["a", "b"], taken);
        Assert.True(backlog.HasWaiting);
        Assert.Equal((4, 40L), (backlog.Frames, backlog.Bytes));

        Assert.True(queue.TryTake(out var first));
        Assert.Equal(0, first[0]);
        taken.Clear();
        backlog.Drain(taken);

        Assert.Equal(["c"], taken);
        Assert.True(queue.TryTake(out var second));
        Assert.True(queue.TryTake(out var third));
        Assert.Equal((1, 2), (second[0], third[0]));
        Assert.Equal((1, 10L), (backlog.Frames, backlog.Bytes));
    }

    [Fact]
    public void A_frame_that_would_pass_the_frame_bound_is_refused_and_not_held()
    {
        var queue = new OutboundQueue.Handle(capacity: 1);
        var backlog = new OutboundBacklog<int>(queue, new OutboundLimits(3, 1_000_000, Deadline));
        var taken = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(backlog.Add(Frame(100), i, TimeSpan.Zero, taken));
        }

        var refused = backlog.Add(Frame(100), 3, TimeSpan.Zero, taken);

        Assert.Equal("outbound bound: expected at most 3 frames and 1000000 bytes held for the peer, got 4 frames and 400 bytes with this one", refused);
        Assert.Equal((3, 300L), (backlog.Frames, backlog.Bytes));
        Assert.Equal((3, 300L), (backlog.PeakFrames, backlog.PeakBytes));
    }

    [Fact]
    public void A_frame_that_would_pass_the_byte_bound_is_refused_while_smaller_frames_before_it_were_held()
    {
        var queue = new OutboundQueue.Handle(capacity: 16);
        var backlog = new OutboundBacklog<int>(queue, new OutboundLimits(100, 1_000, Deadline));
        var taken = new List<int>();
        Assert.Null(backlog.Add(Frame(600), 0, TimeSpan.Zero, taken));

        Assert.Contains("got 2 frames and 1001 bytes", backlog.Add(Frame(401), 1, TimeSpan.Zero, taken));
        Assert.Null(backlog.Add(Frame(400), 2, TimeSpan.Zero, taken));
        Assert.Equal(1_000, backlog.PeakBytes);
    }

    [Fact]
    public void The_deadline_runs_from_the_oldest_frame_held_and_does_not_restart_when_the_socket_takes_one()
    {
        var queue = new OutboundQueue.Handle(capacity: 1);
        var backlog = new OutboundBacklog<int>(queue, new OutboundLimits(10, 10_000, Deadline));
        var taken = new List<int>();
        backlog.Add(Frame(10), 0, TimeSpan.FromSeconds(0), taken);
        backlog.Add(Frame(10), 1, TimeSpan.FromSeconds(10), taken);
        backlog.Add(Frame(10), 2, TimeSpan.FromSeconds(20), taken);
        Assert.Equal(TimeSpan.FromSeconds(10), backlog.TimeLeft(TimeSpan.FromSeconds(50)));

        // The socket takes the oldest at 55 s: the next oldest was handed over at 10 s and has 15 s left, not 60.
        Assert.True(queue.TryTake(out _));
        backlog.Drain(taken);
        Assert.Equal(TimeSpan.FromSeconds(15), backlog.TimeLeft(TimeSpan.FromSeconds(55)));
        Assert.True(backlog.TimeLeft(TimeSpan.FromSeconds(70)) <= TimeSpan.Zero);
    }

    [Fact]
    public void Nothing_held_means_no_deadline_and_dropping_forgets_only_what_waits()
    {
        var queue = new OutboundQueue.Handle(capacity: 1);
        var backlog = new OutboundBacklog<int>(queue, new OutboundLimits(10, 10_000, Deadline));
        var taken = new List<int>();
        Assert.Null(backlog.TimeLeft(TimeSpan.FromHours(1)));
        backlog.Add(Frame(10), 0, TimeSpan.Zero, taken);
        backlog.Add(Frame(20), 1, TimeSpan.Zero, taken);
        backlog.Add(Frame(30), 2, TimeSpan.Zero, taken);

        Assert.Equal(2, backlog.DropWaiting());

        Assert.False(backlog.HasWaiting);
        Assert.Equal((1, 10L), (backlog.Frames, backlog.Bytes));
        Assert.True(queue.TryTake(out _));
        Assert.Null(backlog.TimeLeft(TimeSpan.FromHours(1)));
    }
}

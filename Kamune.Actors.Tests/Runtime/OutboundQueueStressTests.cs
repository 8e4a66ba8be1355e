using Akka.IO;
using Kamune.Actors.Runtime;

namespace Kamune.Tests.Runtime;

// Issue 18 item 7: the writer/stage hand-offs of OutboundQueue under stress. A writer thread offers as fast as it
// can into a tiny queue while a reader thread takes, going to sleep whenever it finds the queue empty, exactly as the
// stage does. A lost wake-up strands a frame (the reader sleeps on a queued frame), a lost room notice strands the
// writer (it waits for room that came): either shows up here as a wait that never ends, bounded by a deadline.
public sealed class OutboundQueueStressTests
{
    private const int Offers = 30_000;
    private static readonly TimeSpan Stuck = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Every_offered_frame_reaches_a_reader_that_sleeps_whenever_the_queue_is_empty(int capacity)
    {
        // Several queues at once, each with its own writer and reader, so more hand-offs interleave on few cores. Each
        // on a thread of its own (LongRunning): blocking waits on pool threads would starve the rest of the suite.
        var runs = Enumerable.Range(0, 4).Select(_ => Dedicated(() => Run(capacity))).ToArray();

        var taken = await Task.WhenAll(runs);

        Assert.All(taken, count => Assert.Equal(Offers, count));
    }

    private static Task<T> Dedicated<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static int Run(int capacity)
    {
        var queue = new OutboundQueue.Handle(capacity);
        using var wake = new SemaphoreSlim(0);
        using var room = new SemaphoreSlim(0);
        queue.Attach(_ => wake.Release());
        queue.OnRoom(() => room.Release());

        var writer = Dedicated(() =>
        {
            var i = 0;
            for (; i < Offers; i++)
            {
                var frame = ByteString.FromBytes(BitConverter.GetBytes(i));
                while (!queue.TryOffer(frame, TimeSpan.Zero))
                {
                    // A stale notice (room found on the second look) only makes the writer look again.
                    if (!room.Wait(Stuck))
                    {
                        throw new TimeoutException($"writer: offer {i} waited {Stuck} for room that never was announced ({queue.Count} queued)");
                    }
                }
            }

            return i;
        });

        var next = 0;
        while (next < Offers)
        {
            if (queue.TryTake(out var frame))
            {
                Assert.Equal(next, BitConverter.ToInt32(frame.ToArray()));
                next++;
                continue;
            }

            if (queue.TrySleep() && !wake.Wait(Stuck))
            {
                // Frames queued: the reader lost its wake-up. None: the writer waits for a room notice it lost.
                throw new TimeoutException($"reader: nothing came for {Stuck} after {next} of {Offers} frames, {queue.Count} of them still queued");
            }
        }

        Assert.Equal(Offers, writer.GetAwaiter().GetResult());
        Assert.False(queue.TryTake(out _));
        return next;
    }
}

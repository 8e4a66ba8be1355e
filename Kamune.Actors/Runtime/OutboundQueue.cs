using System.Collections.Concurrent;
using Akka;
using Akka.Actor;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Kamune.Actors.Runtime;

/// <summary>
/// The head of a connection's outbound stream: a bounded queue its <see cref="ConnectionWriter"/> fills without
/// waiting. Unlike <c>Source.Queue</c>, whose every offer is a task completed by the stream (a thread-pool hop and a
/// message back to the writer per frame), an offer here either succeeds at once or says "full"; the stream is woken
/// only when it was idle, and the writer hears <see cref="OutboundQueueRoom"/> only after a refused offer. One writer
/// (the actor) and one reader (the stage): the count is the only state they share besides the queue.
/// </summary>
internal sealed class OutboundQueue : GraphStageWithMaterializedValue<SourceShape<ByteString>, OutboundQueue.Handle>
{
    private readonly int _capacity;
    private readonly Outlet<ByteString> _out = new("OutboundQueue.out");

    public OutboundQueue(int capacity)
    {
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"expected at least 1, got {capacity}");
        }

        _capacity = capacity;
        Shape = new SourceShape<ByteString>(_out);
    }

    public override SourceShape<ByteString> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("kamuneOutboundQueue");

    public override ILogicAndMaterializedValue<Handle> CreateLogicAndMaterializedValue(Attributes inheritedAttributes)
    {
        var handle = new Handle(_capacity);
        return new LogicAndMaterializedValue<Handle>(new Logic(this, handle), handle);
    }

    /// <summary>The writer's side of the queue. Offer and Complete are for one thread at a time (the writer actor's).</summary>
    internal sealed class Handle
    {
        private readonly int _capacity;
        private readonly ConcurrentQueue<ByteString> _frames = new();
        private int _count;
        private int _readerIdle;
        private volatile bool _completed;
        private IActorRef? _roomWaiter;
        private Action<NotUsed> _wake = static _ => { };

        public Handle(int capacity) => _capacity = capacity;

        internal bool Completed => _completed;

        /// <summary>
        /// Queues the frame if fewer than capacity wait. When full, <paramref name="waiter"/> is told
        /// <see cref="OutboundQueueRoom"/> once the stream took one, and false is returned.
        /// </summary>
        public bool TryOffer(ByteString frame, IActorRef waiter)
        {
            if (_completed)
            {
                throw new InvalidOperationException("OutboundQueue: expected an open queue, got an offer after Complete.");
            }

            if (Volatile.Read(ref _count) >= _capacity)
            {
                Volatile.Write(ref _roomWaiter, waiter);
                // The stream may have taken a frame between the count check and the registration: look again.
                if (Volatile.Read(ref _count) >= _capacity)
                {
                    return false;
                }

                Interlocked.Exchange(ref _roomWaiter, null);
            }

            _frames.Enqueue(frame);
            Interlocked.Increment(ref _count);
            WakeReader();
            return true;
        }

        /// <summary>No more frames: the stream completes once the queued ones went out.</summary>
        public void Complete()
        {
            _completed = true;
            WakeReader();
        }

        internal void Attach(Action<NotUsed> wake) => _wake = wake;

        internal bool TryTake(out ByteString frame)
        {
            if (!_frames.TryDequeue(out frame!))
            {
                return false;
            }

            Interlocked.Decrement(ref _count);
            if (Interlocked.Exchange(ref _roomWaiter, null) is { } waiter)
            {
                waiter.Tell(OutboundQueueRoom.Instance);
            }

            return true;
        }

        // The reader found nothing: it is woken by the next offer (or Complete). False when something arrived meanwhile.
        internal bool TrySleep()
        {
            Volatile.Write(ref _readerIdle, 1);
            if (_frames.IsEmpty && !_completed)
            {
                return true;
            }

            // Something came in between: stay awake unless the writer already spent the wake-up on us.
            return Interlocked.Exchange(ref _readerIdle, 0) == 0;
        }

        private void WakeReader()
        {
            if (Interlocked.Exchange(ref _readerIdle, 0) == 1)
            {
                _wake(NotUsed.Instance);
            }
        }
    }

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly OutboundQueue _stage;
        private readonly Handle _handle;

        public Logic(OutboundQueue stage, Handle handle)
            : base(stage.Shape)
        {
            _stage = stage;
            _handle = handle;
            handle.Attach(GetAsyncCallback<NotUsed>(_ => OnWake()));
            SetHandler(stage._out, this);
        }

        public override void OnPull() => Deliver();

        private void OnWake()
        {
            if (IsAvailable(_stage._out))
            {
                Deliver();
            }
        }

        private void Deliver()
        {
            while (true)
            {
                if (_handle.TryTake(out var frame))
                {
                    Push(_stage._out, frame);
                    return;
                }

                if (_handle.Completed && _handle.TryTake(out frame))
                {
                    Push(_stage._out, frame);
                    return;
                }

                if (_handle.Completed)
                {
                    CompleteStage();
                    return;
                }

                if (_handle.TrySleep())
                {
                    return;
                }
            }
        }
    }
}

/// <summary>The outbound queue took a frame after refusing one: the writer may offer again.</summary>
internal sealed class OutboundQueueRoom
{
    public static readonly OutboundQueueRoom Instance = new();

    private OutboundQueueRoom()
    {
    }
}

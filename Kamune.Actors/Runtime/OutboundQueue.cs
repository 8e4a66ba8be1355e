using System.Collections.Concurrent;
using Akka;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;

namespace Kamune.Actors.Runtime;

/// <summary>
/// The head of a connection's outbound stream: a bounded queue its <see cref="ConnectionWriter"/> fills without
/// waiting. Unlike <c>Source.Queue</c>, whose every offer is a task completed by the stream (a thread-pool hop and a
/// message back to the writer per frame), an offer here either succeeds at once or says "full"; the stream is woken
/// only when it was idle, and the writer hears of room only after a refused offer. One writer (the actor) and one
/// reader (the stage): the count, the byte count and two flags are all they share besides the queue.
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

    /// <summary>
    /// The writer's side of the queue. Offer and Complete are for one thread at a time (the writer actor's); the
    /// stream's stage takes. Each frame carries the time it was given to the writer, so the writer can tell how long
    /// the oldest one has waited for the peer to read (ConnectionWriter's deadline, issue 16 item 1).
    /// The two hand-offs between writer and stage are each a store followed by a load of the other side's field
    /// (Dekker's pattern): a volatile store does not keep a later load from passing it (x86 allows that reordering,
    /// ARM more), so each store is an <see cref="Interlocked.Exchange(ref int, int)"/>, a full fence.
    /// </summary>
    internal sealed class Handle
    {
        private readonly int _capacity;
        private readonly ConcurrentQueue<Queued> _frames = new();
        private int _count;
        private long _bytes;
        private int _readerIdle;
        private int _roomWanted;
        private volatile bool _completed;
        private Action _onRoom = static () => { };
        private Action<NotUsed> _wake = static _ => { };

        public Handle(int capacity) => _capacity = capacity;

        /// <summary>Frames queued and not yet taken by the stream.</summary>
        public int Count => Volatile.Read(ref _count);

        /// <summary>Payload bytes of those frames.</summary>
        public long Bytes => Volatile.Read(ref _bytes);

        internal bool Completed => _completed;

        /// <summary>Called (on the stream's thread) when the stream took a frame after an offer was refused.</summary>
        public void OnRoom(Action notice) => _onRoom = notice;

        /// <summary>When the oldest frame still queued was given to the writer; false when none is queued.</summary>
        public bool TryPeekOldest(out TimeSpan queuedAt)
        {
            var found = _frames.TryPeek(out var oldest);
            queuedAt = oldest.QueuedAt;
            return found;
        }

        /// <summary>
        /// Queues the frame if fewer than capacity wait. When full, returns false and calls the <see cref="OnRoom"/>
        /// notice once the stream took one.
        /// </summary>
        public bool TryOffer(ByteString frame, TimeSpan queuedAt)
        {
            if (_completed)
            {
                throw new InvalidOperationException("OutboundQueue: expected an open queue, got an offer after Complete.");
            }

            if (Volatile.Read(ref _count) >= _capacity)
            {
                // Register, with a full fence, before looking again: the stream may have taken a frame since the check,
                // and it reads the registration only after its decrement.
                Interlocked.Exchange(ref _roomWanted, 1);
                if (Volatile.Read(ref _count) >= _capacity)
                {
                    return false;
                }

                // Room after all; a notice already on its way is ignored by the writer.
                Interlocked.Exchange(ref _roomWanted, 0);
            }

            _frames.Enqueue(new Queued(frame, queuedAt));
            Interlocked.Add(ref _bytes, frame.Count);
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
            if (!_frames.TryDequeue(out var taken))
            {
                frame = ByteString.Empty;
                return false;
            }

            frame = taken.Frame;
            Interlocked.Add(ref _bytes, -frame.Count);
            Interlocked.Decrement(ref _count);
            if (Interlocked.Exchange(ref _roomWanted, 0) == 1)
            {
                _onRoom();
            }

            return true;
        }

        // The reader found nothing: it is woken by the next offer (or Complete). False when something arrived meanwhile.
        internal bool TrySleep()
        {
            // A full fence: the idle flag must be visible to the writer before the queue is looked at, or an offer in
            // between sees the reader awake, skips the wake-up, and the reader then sleeps on a queued frame.
            Interlocked.Exchange(ref _readerIdle, 1);
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

        private readonly record struct Queued(ByteString Frame, TimeSpan QueuedAt);
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
internal sealed class OutboundQueueRoom : IRuntimeMessage
{
    public static readonly OutboundQueueRoom Instance = new();

    private OutboundQueueRoom()
    {
    }
}

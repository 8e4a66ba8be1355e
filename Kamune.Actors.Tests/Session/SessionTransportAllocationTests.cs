using Kamune.Protocol;
using Kamune.Protocol.Session;
using Kamune.Wire;

namespace Kamune.Tests.Session;

/// <summary>
/// Issue 5's target for the per-message path: <see cref="SessionTransport.Seal"/> allocates only the frame it
/// returns and <see cref="SessionTransport.Open"/> only the one copy of the payload. Counted with the runtime's
/// per-thread allocation counter (bytes, not time); the smallest of a few runs is taken so that a pool refill
/// after an unrelated GC cannot make the check flaky.
/// </summary>
public sealed class SessionTransportAllocationTests : IDisposable
{
    // An array's header on 64-bit (sync block, method table, length) plus rounding to 8 bytes.
    private const int ArrayOverhead = 24 + 7;
    private const int Runs = 5;

    private static readonly byte[] Key = Enumerable.Range(7, 32).Select(i => (byte)i).ToArray();

    private readonly IdentityKeyPair _sender = IdentityKeyPair.FromSeed(PureSession.Seed(9, 0x11));
    private readonly IdentityKeyPair _receiver = IdentityKeyPair.FromSeed(PureSession.Seed(9, 0x22));
    private readonly ManualClock _clock = new(PureSession.Start);
    private readonly SessionTransport _out;
    private readonly SessionTransport _in;

    public SessionTransportAllocationTests()
    {
        _out = new SessionTransport("ALLOCALLOCALLOCALLOCALLO", _sender, _receiver.PublicIdentity,
            new SessionSealer(Key, new DeterministicRandomSource(1)), new SessionOpener(new byte[32]), _clock, new DeterministicRandomSource(2));
        _in = new SessionTransport("ALLOCALLOCALLOCALLOCALLO", _receiver, _sender.PublicIdentity,
            new SessionSealer(new byte[32], new DeterministicRandomSource(3)), new SessionOpener(Key), _clock, new DeterministicRandomSource(4));
    }

    public static TheoryData<int> PayloadSizes => new() { 0, 16, 100, 1024, 16 * 1024, SessionTransport.MaxPayload };

    public void Dispose()
    {
        _out.Dispose();
        _in.Dispose();
        _sender.Dispose();
        _receiver.Dispose();
    }

    [Theory]
    [MemberData(nameof(PayloadSizes))]
    public void Seal_allocates_only_the_frame_it_returns(int size)
    {
        var value = new byte[size];
        var beyondFrame = SmallestBeyond(() => _out.Seal(Route.ExchangeMessages, value, out _).Length);

        Assert.InRange(beyondFrame, 0, ArrayOverhead);
    }

    [Theory]
    [MemberData(nameof(PayloadSizes))]
    public void Open_allocates_only_the_copy_of_the_payload(int size)
    {
        var value = new byte[size];
        var frames = Enumerable.Range(0, Runs + 2).Select(_ => _out.Seal(Route.ExchangeMessages, value, out ulong _)).ToArray();
        var next = 0;
        var beyondPayload = SmallestBeyond(() => _in.Open(frames[next++]).Value.Length);

        Assert.Equal(frames.Length, next);
        Assert.InRange(beyondPayload, 0, size == 0 ? 0 : ArrayOverhead);
    }

    // Two warm-up calls (JIT, pool buckets), then over the measured runs the smallest count of bytes allocated
    // beyond the array whose length the run returns (frames vary in size with the padding bucket).
    private static long SmallestBeyond(Func<int> run)
    {
        run();
        run();
        var smallest = long.MaxValue;
        for (var i = 0; i < Runs; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var length = run();
            smallest = Math.Min(smallest, GC.GetAllocatedBytesForCurrentThread() - before - length);
        }

        return smallest;
    }
}

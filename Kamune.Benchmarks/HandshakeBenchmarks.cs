using BenchmarkDotNet.Attributes;

namespace Kamune.Benchmarks;

/// <summary>
/// CPU cost of a whole new-session handshake (exchange + introduction + handshake + challenge), pure
/// functions in memory (<see cref="HandshakeScript"/>). "Initiator" and "Responder" replay one role
/// against frames recorded from the other, so each row is that role's own CPU cost.
/// </summary>
[MemoryDiagnoser]
public class HandshakeBenchmarks
{
    private const int InitiatorSeed = 1;
    private const int ResponderSeed = 2;
    private readonly IClock _clock = new ManualClock(Sizes.Epoch);
    private IdentityKeyPair _initiator = null!;
    private IdentityKeyPair _responder = null!;
    private List<byte[]> _fromInitiator = [];
    private List<byte[]> _fromResponder = [];
    private int _seed = 100;

    [GlobalSetup]
    public void Setup()
    {
        _initiator = IdentityKeyPair.FromSeed(Sizes.Filled(32, 71));
        _responder = IdentityKeyPair.FromSeed(Sizes.Filled(32, 72));
        (_fromInitiator, _fromResponder) = HandshakeScript.RunBoth(Party(_initiator, InitiatorSeed), Party(_responder, ResponderSeed));
        Expect.That(_fromInitiator.Count == 6 && _fromResponder.Count == 5, "6 frames from the initiator and 5 from the responder");
        Expect.That(Same(Initiator(), _fromInitiator), "the replayed initiator to send the recorded frames");
        Expect.That(Same(Responder(), _fromResponder), "the replayed responder to send the recorded frames");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _initiator.Dispose();
        _responder.Dispose();
    }

    [Benchmark(Description = "Both roles")]
    public int Both()
    {
        var seed = _seed += 2;
        return HandshakeScript.RunBoth(Party(_initiator, seed), Party(_responder, seed + 1)).FromInitiator.Count;
    }

    [Benchmark(Description = "Both roles, system CSPRNG")]
    public int BothSystemRandom() =>
        HandshakeScript.RunBoth(
            new HandshakeParty(_initiator, SystemRandomSource.Instance, _clock),
            new HandshakeParty(_responder, SystemRandomSource.Instance, _clock)).FromInitiator.Count;

    [Benchmark(Description = "Initiator")]
    public List<byte[]> Initiator() => HandshakeScript.Replay(HandshakeScript.Initiator, Party(_initiator, InitiatorSeed), _fromResponder);

    [Benchmark(Description = "Responder")]
    public List<byte[]> Responder() => HandshakeScript.Replay(HandshakeScript.Responder, Party(_responder, ResponderSeed), _fromInitiator);

    private HandshakeParty Party(IdentityKeyPair identity, int seed) => new(identity, new SeededRandom(seed), _clock);

    private static bool Same(List<byte[]> a, List<byte[]> b) =>
        a.Count == b.Count && a.Zip(b).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second));
}

using Xunit.Abstractions;

namespace Kamune.Tests.Fuzz;

/// <summary>
/// The seeded mutation loop over every network parser (issue 6, part 1): valid captured inputs,
/// mutated by <see cref="Mutator"/>, must each end in a value or a typed error of the target's kinds,
/// within the hang limit and the allocation bound (<see cref="FuzzOracle"/>). Case counts come from
/// <see cref="FuzzSettings"/> (KAMUNE_FUZZ_ITERATIONS for the long mode).
/// </summary>
[Collection(FuzzCollection.Name)]
public class MutationFuzzTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(FuzzTargets.Names), MemberType = typeof(FuzzTargets))]
    public void Mutated_captured_inputs_end_in_a_value_or_a_typed_error(string name)
    {
        var target = FuzzTargets.Get(name);
        var mutator = new Mutator(FuzzSettings.Seed ^ StableHash(name));
        var tally = new FuzzTally();
        for (var i = 0; i < FuzzSettings.MutationCases; i++)
        {
            tally.Add(FuzzOracle.Check(target, mutator.Next(target.Corpus)));
        }

        output.WriteLine($"{name}: {tally}");
        Assert.Equal(FuzzSettings.MutationCases, tally.Cases);
    }

    [Theory]
    [MemberData(nameof(FuzzTargets.Names), MemberType = typeof(FuzzTargets))]
    public void The_unmutated_corpus_is_accepted_so_the_target_can_succeed(string name)
    {
        // Without this, a harness that rejects everything would pass the fuzz loop vacuously. Tunnel
        // targets open only the first captured frame: the others belong to later sequence numbers.
        var target = FuzzTargets.Get(name);
        var outcomes = target.Corpus.Select(input => FuzzOracle.Check(target, input)).ToList();
        Assert.Contains(null, outcomes);
        if (!name.StartsWith("ExchangeTunnel", StringComparison.Ordinal))
        {
            Assert.All(outcomes, outcome => Assert.Null(outcome));
        }
    }

    [Fact]
    public void The_mutator_is_deterministic_for_a_seed()
    {
        var corpus = FuzzTargets.Get("Envelope.Parse").Corpus;
        var first = new Mutator(7);
        var second = new Mutator(7);
        for (var i = 0; i < 200; i++)
        {
            Assert.Equal(first.Next(corpus), second.Next(corpus));
        }
    }

    // string.GetHashCode differs per process; the seed of a target must not.
    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }
}

using System.Diagnostics;

namespace Kamune.Tests.Fuzz;

/// <summary>One parser (or receiver pipeline) that takes network bytes, and the error kinds it may report.</summary>
public sealed record FuzzTarget(string Name, IReadOnlyList<byte[]> Corpus, Action<byte[]> Run, IReadOnlySet<KamuneError> Allowed)
{
    public override string ToString() => Name;
}

/// <summary>Counts of what a run saw: accepted inputs and typed refusals by kind.</summary>
public sealed class FuzzTally
{
    private readonly SortedDictionary<string, int> _errors = new(StringComparer.Ordinal);

    public int Cases { get; private set; }

    public int Accepted { get; private set; }

    public void Add(KamuneError? error)
    {
        Cases++;
        if (error is null)
        {
            Accepted++;
            return;
        }

        var key = error.Value.ToString();
        _errors[key] = _errors.GetValueOrDefault(key) + 1;
    }

    public override string ToString() =>
        $"{Cases} cases: {Accepted} accepted, " + string.Join(", ", _errors.Select(e => $"{e.Value} {e.Key}"));
}

/// <summary>
/// The fuzz oracle: on any input the target returns normally or throws <see cref="KamuneProtocolException"/>
/// of an allowed kind. Any other exception, a hang or an allocation far beyond the frame limit fails the
/// test with the input as hex, so the case can be replayed as a regular test.
/// </summary>
public static class FuzzOracle
{
    public static KamuneError? Check(FuzzTarget target, byte[] input)
    {
        KamuneError? outcome = null;
        Exception? unexpected = null;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        try
        {
            target.Run(input);
        }
        catch (KamuneProtocolException e)
        {
            outcome = e.Error;
            if (!target.Allowed.Contains(e.Error))
            {
                unexpected = e;
            }
        }
        catch (Exception e)
        {
            unexpected = e;
        }

        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (unexpected is not null)
        {
            Assert.Fail(
                $"{target.Name}: expected a value or KamuneProtocolException of [{string.Join(", ", target.Allowed)}], " +
                $"got {unexpected.GetType().Name}: {unexpected.Message}\ninput ({input.Length} bytes): {Convert.ToHexStringLower(input)}\n{unexpected}");
        }

        if (clock.Elapsed > FuzzSettings.HangLimit)
        {
            Assert.Fail($"{target.Name}: expected each case to end within {FuzzSettings.HangLimit}, got {clock.Elapsed}\ninput: {Convert.ToHexStringLower(input)}");
        }

        if (allocated > FuzzSettings.MaxAllocatedBytes)
        {
            Assert.Fail(
                $"{target.Name}: expected at most {FuzzSettings.MaxAllocatedBytes} bytes allocated for a {input.Length}-byte input, got {allocated}\n" +
                $"input: {Convert.ToHexStringLower(input)}");
        }

        return outcome;
    }
}

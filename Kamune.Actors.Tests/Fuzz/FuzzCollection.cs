namespace Kamune.Tests.Fuzz;

/// <summary>
/// The fuzz classes share targets that keep state between cases (a cached tunnel, a sealer), so they run
/// one after another rather than in parallel.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FuzzCollection
{
    public const string Name = "Fuzz";
}

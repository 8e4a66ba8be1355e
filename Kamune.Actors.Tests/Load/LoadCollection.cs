namespace Kamune.Tests.Load;

/// <summary>
/// The load tests run alone, after the parallel ones: they measure the process's managed heap and take both cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    public const string Name = "Load";
}

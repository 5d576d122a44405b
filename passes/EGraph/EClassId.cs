namespace DyCompile.Passes.EGraph;

/// <summary>
/// The id of an e-class. Ids are dense small integers; after a union several ids name the same
/// class, and <see cref="EGraph{TData}.Find"/> gives the canonical one.
/// </summary>
public readonly record struct EClassId(int Value)
{
    public override string ToString() => $"#{Value}";
}

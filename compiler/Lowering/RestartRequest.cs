using DyCompile.IR;
using Microsoft.CodeAnalysis;

namespace DyCompile.Compiler.Lowering;

/// <summary>What one lowering attempt learned that changes blocks it already emitted, so
/// lowering must start again with it in the <see cref="LoweringPlan"/>.</summary>
/// <param name="KeepKnown">Locals (and flow captures) that must stay compile-time values at loop
/// heads, so their loop unrolls.</param>
/// <param name="ModuleIndexes">Of those, the counters kept known because they index a module list;
/// if unrolling one has no compile-time bound, the list is dispatched on instead.</param>
/// <param name="Dispatch">Counters that stay run-time values, a module list indexed by them dispatching.</param>
/// <param name="Widen">Block parameters whose sizes change between the edges into them.</param>
internal sealed record RestartRequest(
    IReadOnlyCollection<LocalSlot> KeepKnown,
    IReadOnlyCollection<LocalSlot> ModuleIndexes,
    IReadOnlyCollection<LocalSlot> Dispatch,
    IReadOnlyList<Widening> Widen)
{
    public static RestartRequest Keeping(IReadOnlyCollection<LocalSlot> slots) => new(slots, [], [], []);

    public bool IsEmpty => KeepKnown.Count == 0 && Dispatch.Count == 0 && Widen.Count == 0;

    /// <summary>The request in words, for the diagnostic of a lowering that does not settle.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        foreach (var (method, slot) in KeepKnown)
            parts.Add($"keep '{Name(slot)}' of '{method.Name}' known");
        foreach (var (method, slot) in Dispatch)
            parts.Add($"dispatch on '{Name(slot)}' of '{method.Name}'");
        foreach (var w in Widen)
            parts.Add($"widen '{w.Slot}' carried into ^{w.Block} to {w.Type}");
        return string.Join("; ", parts);
    }

    internal static string Name(object slot) => slot is ISymbol s ? s.Name : "a temporary";
}

/// <summary>Parameter <paramref name="Index"/> of the block specialized as <paramref name="Key"/>
/// (named <paramref name="Block"/> in the attempt that asked, carrying <paramref name="Slot"/>)
/// takes <paramref name="Type"/>: a loop-carried tensor whose sizes change across iterations gets
/// those dimensions dynamic (<c>?</c>).</summary>
internal sealed record Widening(string Key, int Index, IRType Type, string Block, string Slot);

/// <summary>Stops a lowering attempt so that lowering starts again with <see cref="Request"/>;
/// the diagnostic stands when the request teaches nothing new.</summary>
internal sealed class RestartException(Diagnostic diagnostic, RestartRequest request) : LoweringException(diagnostic)
{
    public RestartRequest Request { get; } = request;
}

/// <summary>A local, parameter or flow capture (<paramref name="Slot"/>) of <paramref name="Method"/>:
/// what the plan keeps known, dispatches on, or traces a run-time value back to.</summary>
internal sealed record LocalSlot(IMethodSymbol Method, object Slot);

using DyCompile.IR;
using Microsoft.CodeAnalysis;

namespace DyCompile.Compiler.Lowering;

/// <summary>What earlier lowering attempts learned, read by the next: which counters stay
/// compile-time values, which dispatch, and the widened types of block parameters. It only grows
/// (a counter moved from kept-known to dispatched aside): every restart must teach it something it
/// was never told before, so lowering settles after at most one restart per slot and per
/// dimension of each block parameter.</summary>
internal sealed class LoweringPlan
{
    private readonly HashSet<LocalSlot> _keptKnown = [];
    private readonly HashSet<LocalSlot> _moduleIndexes = [];
    private readonly HashSet<LocalSlot> _dispatched = [];
    private readonly Dictionary<(string Key, int Index), IRType> _widened = [];

    // Everything ever requested: a request made again (a counter kept known, moved to dispatch,
    // then asked to be kept known once more) is no progress, so lowering cannot cycle.
    private readonly HashSet<object> _seen = [];

    public bool KeepsKnown(IMethodSymbol method, object slot) => _keptKnown.Contains(new LocalSlot(method, slot));

    /// <summary>Whether <paramref name="slot"/> is kept known because it indexes a module list.</summary>
    public bool IndexesModules(IMethodSymbol method, object slot) => _moduleIndexes.Contains(new LocalSlot(method, slot));

    public bool Dispatches(IMethodSymbol method, object slot) => _dispatched.Contains(new LocalSlot(method, slot));

    /// <summary>Counters kept known for a module index, still kept known.</summary>
    public IReadOnlyList<LocalSlot> KnownModuleIndexes =>
        [.. _moduleIndexes.Where(_keptKnown.Contains)];

    /// <summary>The widened parameter types of the block specialized as <paramref name="key"/>, by position.</summary>
    public Dictionary<int, IRType> WidenedTypes(string key) =>
        _widened.Where(kv => kv.Key.Key == key).ToDictionary(kv => kv.Key.Index, kv => kv.Value);

    /// <summary>Adds <paramref name="request"/>; false when it holds nothing not requested before.</summary>
    public bool Apply(RestartRequest request)
    {
        var learned = false;
        foreach (var entry in request.KeepKnown)
        {
            learned |= _seen.Add(("keep", entry));
            _keptKnown.Add(entry);
        }
        foreach (var entry in request.ModuleIndexes)
        {
            learned |= _seen.Add(("module index", entry));
            _moduleIndexes.Add(entry);
        }
        foreach (var entry in request.Dispatch)
        {
            learned |= _seen.Add(("dispatch", entry));
            _dispatched.Add(entry);
            _keptKnown.Remove(entry);
        }
        foreach (var w in request.Widen)
        {
            var type = _widened.TryGetValue((w.Key, w.Index), out var earlier) && Join(earlier, w.Type) is { } both ? both : w.Type;
            _widened[(w.Key, w.Index)] = type;
            learned |= _seen.Add(("widen", w.Key, w.Index, type.ToString()));
        }
        return learned;
    }

    /// <summary>The narrowest tensor type that admits both, when they differ only in sizes; else null.</summary>
    public static TensorType? Join(IRType first, IRType second) =>
        first is TensorType a && second is TensorType b && a.DType == b.DType && a.Rank == b.Rank
            ? a.WithShape(a.Shape.Zip(b.Shape, (x, y) => x == y ? x : TensorType.Dynamic))
            : null;
}

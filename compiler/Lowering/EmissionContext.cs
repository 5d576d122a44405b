using System.Collections.Immutable;
using DyCompile.IR;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>Where emission is: the IR block being filled, how values of earlier blocks are named
/// in it, the frame (method activation) and its slots (locals, parameters, flow captures), the
/// values carried through an inlined call's blocks, and the operands evaluated but not yet used.</summary>
internal sealed class EmissionContext
{
    public BlockBuilder Block { get; set; } = null!;
    public Dictionary<Value, Value> Renames { get; set; } = [];
    public Frame Frame { get; set; } = null!;
    public Dictionary<object, AbstractValue> Slots { get; set; } = [];
    public ImmutableArray<Value> Carried { get; set; } = [];

    /// <summary>Operands already evaluated around the expression being lowered: an inlined call
    /// or a dispatch between them must carry them through its blocks.</summary>
    public List<AbstractValue> InFlight { get; } = [];

    /// <summary>Where emission is now, to come back to after lowering somewhere else.</summary>
    internal EmissionPoint Save() => new(Block, Renames, Frame, Slots, Carried);

    internal void Restore(EmissionPoint point) =>
        (Block, Renames, Frame, Slots, Carried) = (point.Block, point.Renames, point.Frame, point.Slots, point.Carried);

    internal IEnumerable<KeyValuePair<object, AbstractValue>> Ordered(Dictionary<object, AbstractValue> slots) =>
        slots.OrderBy(kv => OrderOf(kv.Key));

    internal int OrderOf(object slot)
    {
        if (!Frame.SlotOrder.TryGetValue(slot, out var i)) Frame.SlotOrder[slot] = i = Frame.SlotOrder.Count;
        return i;
    }

    /// <summary>What the blocks of an inlined call or a dispatch must carry for the caller: the
    /// values carried already, the run-time values of the frame's live slots, and the operands
    /// already evaluated around the call, as named in the current block.</summary>
    internal ImmutableArray<Value> LiveValues()
    {
        var live = Frame.CurrentBlock is { } current ? Frame.Liveness.LiveFrom(current, Frame.CurrentIndex) : null;
        return [.. Carried.Select(Use)
            .Concat(CarriedThroughCall(Ordered(Slots).Where(kv => live?.Contains(kv.Key) ?? true).Select(kv => kv.Value)).Select(Use))
            .Concat(CarriedThroughCall(InFlight).Select(Use))
            .Distinct()];
    }

    /// <summary>The run-time values a caller's live values hold, including the index of an element
    /// picked at run time (<c>var e = list[i]; var y = Helper(x); e.Forward(y)</c>), so they stay
    /// named across the blocks of an inlined call.</summary>
    private static IEnumerable<Value> CarriedThroughCall(IEnumerable<AbstractValue> values)
    {
        foreach (var v in values)
        {
            if (v is DispatchValue d) yield return d.Index;
            else if (v is TupleValue t)
                foreach (var inner in CarriedThroughCall(t.Items)) yield return inner;
            else
                foreach (var inner in ValueEmitter.Flatten([v])) yield return inner;
        }
    }

    /// <summary>The value as named in the current block.</summary>
    internal Value Use(Value v)
    {
        while (Renames.TryGetValue(v, out var renamed) && renamed != v) v = renamed;
        return v;
    }

    internal static Value Resolve(Dictionary<Value, Value> renames, Value v)
    {
        while (renames.TryGetValue(v, out var r) && r != v) v = r;
        return v;
    }

    internal void EnterJoin(BlockBuilder join, ImmutableArray<Value> carried, ImmutableArray<Value> parameters)
    {
        Block = join;
        Renames = new Dictionary<Value, Value>(Renames);
        for (var i = 0; i < carried.Length; i++) Renames[carried[i]] = parameters[i];
    }
}

/// <summary>A saved position of emission: block, names, frame, slots and carried values.</summary>
internal sealed record EmissionPoint(BlockBuilder Block, Dictionary<Value, Value> Renames, Frame Frame, Dictionary<object, AbstractValue> Slots, ImmutableArray<Value> Carried);

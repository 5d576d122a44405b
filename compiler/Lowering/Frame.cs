using System.Collections.Immutable;
using DyCompile.IR;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>One activation of a method being lowered (the entry method or an inlined callee).</summary>
internal sealed class Frame(int id, IMethodSymbol method, ControlFlowGraph graph, object? self, Frame? parent)
{
    public int Id { get; } = id;
    public IMethodSymbol Method { get; } = method;
    public ControlFlowGraph Graph { get; } = graph;
    public object? Self { get; } = self;
    public Frame? Parent { get; } = parent;

    public Queue<WorkItem> Queue { get; } = new();
    public Liveness Liveness { get; } = new(graph);

    /// <summary>Where lowering is in this frame: the Roslyn block and operation.</summary>
    public BasicBlock? CurrentBlock { get; set; }
    public int CurrentIndex { get; set; }
    public Dictionary<object, int> SlotOrder { get; } = new();

    /// <summary>Flow captures of a local or parameter reference. Roslyn spills an assignment's
    /// target into one when the assigned value branches (<c>x = x.Softmax(c ? -1 : 1)</c>), so
    /// assigning the capture assigns the local.</summary>
    public Dictionary<CaptureId, IOperation> CapturedTargets { get; } = graph.Blocks
        .SelectMany(b => b.Operations)
        .OfType<IFlowCaptureOperation>()
        .Where(c => c.Value is ILocalReferenceOperation or IParameterReferenceOperation)
        .GroupBy(c => c.Id)
        .Where(g => g.Count() == 1)
        .ToDictionary(g => g.Key, g => g.Single().Value);
    public List<ReturnSite> Returns { get; } = [];

    public string Tag => Parent is null ? "" : $"{Method.Name.ToLowerInvariant()}{Id}.";
}

/// <summary>A Roslyn block to lower into an IR block, with the slots and carried values it starts from.</summary>
internal sealed record WorkItem(BasicBlock Block, BlockBuilder Target, Dictionary<object, AbstractValue> Slots, ImmutableArray<Value> Carried);

/// <summary>Where an inlined method returned: the block, its names, the value and the carried values.</summary>
internal sealed record ReturnSite(BlockBuilder Block, Dictionary<Value, Value> Renames, AbstractValue Value, ImmutableArray<Value> Carried);

using System.Collections.Immutable;

namespace DyCompile.IR;

/// <summary>Where an op runs. <see cref="Tensor"/> ops have one eager kernel in the runtime
/// (<c>[OpKernel]</c>); <see cref="Host"/> ops work on host scalars and are evaluated by the IR
/// itself; <see cref="Const"/> is the literal op.</summary>
public enum OpKind
{
    Tensor,
    Host,
    Const,
}

/// <summary>Infers result types from operand types and attributes; throws
/// <see cref="IRTypeException"/> (via <see cref="OpCall.Fail"/>) when the operands are not accepted.</summary>
public delegate IReadOnlyList<IRType> ShapeRule(OpCall call);

/// <summary>Estimates the cost of an application whose result types are known.</summary>
public delegate OpCost CostRule(OpCall call, IReadOnlyList<IRType> results);

/// <summary>Interval bounds of an op's result from those of its operands (see <see cref="ValueInterval"/>).</summary>
public delegate ValueInterval BoundsRule(OpCall call, IReadOnlyList<ValueInterval> operands);

/// <summary>The catalog entry of one op: everything the compiler knows about it besides its kernel.</summary>
public sealed record OpDef
{
    public required string Name { get; init; }

    public OpKind Kind { get; init; } = OpKind.Tensor;

    /// <summary>Operand names, in order; for a tensor op they equal the kernel parameter names.</summary>
    public ImmutableArray<string> Operands { get; init; } = [];

    /// <summary>The op takes one variadic operand list (a <c>Tensor[]</c> kernel parameter).</summary>
    public bool Variadic { get; init; }

    public ImmutableArray<AttrDef> Attributes { get; init; } = [];

    /// <summary>Number of results, or <see cref="VariableResults"/> when the attributes decide (split).</summary>
    public int ResultCount { get; init; } = 1;

    public const int VariableResults = -1;

    /// <summary>Each result element depends only on the same element of the (broadcast) operands.</summary>
    public bool Elementwise { get; init; }

    /// <summary>For an elementwise op, what it computes per element (f32 semantics), as data every
    /// backend renders; null when the op has no such formula (cast) and so is never fused.</summary>
    public ScalarFormula? Formula { get; init; }

    /// <summary>The result is the operand's elements in the same order under another shape
    /// (reshape, squeeze, unsqueeze): no arithmetic, and a backend may alias the storage.</summary>
    public bool IsView { get; init; }

    /// <summary>The one ONNX operator that computes the op, when there is one in the opset the
    /// exporter targets; otherwise an op with a <see cref="Formula"/> is exported as the formula's
    /// ONNX nodes.</summary>
    public OnnxOperator? Onnx { get; init; }

    /// <summary>Bounds of the result's non-NaN elements from the operands' bounds; null when the
    /// op says nothing (the result may be anything).</summary>
    public BoundsRule? Bounds { get; init; }

    public required ShapeRule Rule { get; init; }

    public CostRule Cost { get; init; } = CostRules.MemoryOnly;

    public bool HasKernel => Kind == OpKind.Tensor;

    public AttrDef? FindAttribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);
}

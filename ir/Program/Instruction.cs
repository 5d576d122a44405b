using System.Collections.Immutable;
using System.Globalization;

namespace DyCompile.IR;

/// <summary>One line of a block body: a <see cref="Node"/> or a <see cref="Terminator"/>.
/// A well-formed block holds nodes followed by exactly one terminator.</summary>
public abstract class Instruction
{
    /// <summary>Values this instruction reads, in order.</summary>
    public abstract IReadOnlyList<Value> Uses { get; }
}

/// <summary>The literal payload of a <c>const</c> node: its elements in row-major order. A host
/// scalar constant has one element; bools are 0/1. Doubles hold every f32, i32 and bool exactly.</summary>
public sealed record ConstPayload(ImmutableArray<double> Values)
{
    public static ConstPayload Of(params double[] values) => new([.. values]);

    public bool Equals(ConstPayload? other) =>
        other is not null && Values.Length == other.Values.Length
        && Values.Zip(other.Values).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second));

    public override int GetHashCode() => Values.Aggregate(17, (h, v) => HashCode.Combine(h, v));

    /// <summary>One element as printed for an element of <paramref name="type"/>.</summary>
    public static string FormatElement(double value, IRType type) => ElementKind(type) switch
    {
        ScalarKind.Float => Literals.FormatFloat((float)value),
        ScalarKind.Bool => value != 0 ? "true" : "false",
        _ => ((long)value).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The scalar kind of one element of a constant of <paramref name="type"/>.</summary>
    public static ScalarKind ElementKind(IRType type) => type switch
    {
        ScalarType s => s.Kind,
        TensorType { DType: Runtime.DType.Float32 } => ScalarKind.Float,
        TensorType { DType: Runtime.DType.Bool } => ScalarKind.Bool,
        _ => ScalarKind.Int,
    };
}

/// <summary>An application of a catalog op: <c>%r = op(%a, %b) {attr = v} : type</c>.
/// Nodes of the op <c>const</c> carry a <see cref="ConstPayload"/> instead of operands.</summary>
public sealed class Node : Instruction
{
    public Node(string op, IEnumerable<Value> operands, Attrs? attrs, IEnumerable<Value> results, ConstPayload? payload = null)
    {
        Op = op;
        Operands = [.. operands];
        Attrs = attrs?.Clone() ?? new Attrs();
        Results = [.. results];
        Payload = payload;
    }

    public string Op { get; }

    public ImmutableArray<Value> Operands { get; }

    public Attrs Attrs { get; }

    public ImmutableArray<Value> Results { get; }

    public ConstPayload? Payload { get; }

    public Value Result => Results.Length == 1 ? Results[0] : throw new InvalidOperationException($"{Op} has {Results.Length} results");

    public override IReadOnlyList<Value> Uses => Operands;

    public OpDef? Def => OpCatalog.TryGet(Op, out var def) ? def : null;

    public override string ToString() => IRPrinter.Print(this);
}

/// <summary>A successor block and the arguments passed to its parameters: <c>^name(%a, %b)</c>.
/// The block is named, so a target that does not exist is representable (and reported by the verifier).</summary>
public sealed record BlockTarget(string Block, ImmutableArray<Value> Arguments)
{
    public static BlockTarget To(string block, params Value[] arguments) => new(block, [.. arguments]);

    public bool Equals(BlockTarget? other) => other is not null && Block == other.Block && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode() => HashCode.Combine(Block, Arguments.Length);
}

/// <summary>Ends a block: <see cref="Jump"/>, <see cref="Branch"/> or <see cref="Return"/>.</summary>
public abstract class Terminator : Instruction
{
    public abstract IReadOnlyList<BlockTarget> Successors { get; }

    public override string ToString() => IRPrinter.Print(this);
}

/// <summary><c>jump ^target(args)</c></summary>
public sealed class Jump(BlockTarget target) : Terminator
{
    public BlockTarget Target { get; } = target;

    public override IReadOnlyList<BlockTarget> Successors => [Target];

    public override IReadOnlyList<Value> Uses => Target.Arguments;
}

/// <summary><c>branch %condition, ^ifTrue(args), ^ifFalse(args)</c> on a host bool.</summary>
public sealed class Branch(Value condition, BlockTarget ifTrue, BlockTarget ifFalse) : Terminator
{
    public Value Condition { get; } = condition;

    public BlockTarget IfTrue { get; } = ifTrue;

    public BlockTarget IfFalse { get; } = ifFalse;

    public override IReadOnlyList<BlockTarget> Successors => [IfTrue, IfFalse];

    public override IReadOnlyList<Value> Uses => [Condition, .. IfTrue.Arguments, .. IfFalse.Arguments];
}

/// <summary><c>return %a, %b</c>: leaves the program with its results.</summary>
public sealed class Return(IEnumerable<Value> values) : Terminator
{
    public ImmutableArray<Value> Values { get; } = [.. values];

    public override IReadOnlyList<BlockTarget> Successors => [];

    public override IReadOnlyList<Value> Uses => Values;
}

using System.Collections.Immutable;

namespace DyCompile.IR;

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

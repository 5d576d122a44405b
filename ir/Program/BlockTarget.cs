using System.Collections.Immutable;

namespace DyCompile.IR;

/// <summary>A successor block and the arguments passed to its parameters: <c>^name(%a, %b)</c>.
/// The block is named, so a target that does not exist is representable (and reported by the verifier).</summary>
public sealed record BlockTarget(string Block, ImmutableArray<Value> Arguments)
{
    public static BlockTarget To(string block, params Value[] arguments) => new(block, [.. arguments]);

    public bool Equals(BlockTarget? other) => other is not null && Block == other.Block && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode() => HashCode.Combine(Block, Arguments.Length);
}

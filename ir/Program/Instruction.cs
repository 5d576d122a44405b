namespace DyCompile.IR;

/// <summary>One line of a block body: a <see cref="Node"/> or a <see cref="Terminator"/>.
/// A well-formed block holds nodes followed by exactly one terminator.</summary>
public abstract class Instruction
{
    /// <summary>Values this instruction reads, in order.</summary>
    public abstract IReadOnlyList<Value> Uses { get; }
}

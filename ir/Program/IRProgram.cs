using System.Collections.Immutable;

namespace DyCompile.IR;

/// <summary>A program input: a name and a type. The entry block's parameters mirror these.</summary>
public sealed record ProgramInput(string Name, IRType Type);

/// <summary>A dynamic program: a control-flow graph of blocks with block parameters. The first
/// block is the entry; its parameters are the program inputs. Weights (<c>@name</c>) are
/// visible in every block. Loops are back edges; values cross blocks only as block arguments.</summary>
public sealed class IRProgram(string name, IEnumerable<ProgramInput> inputs, IEnumerable<IRType> resultTypes, IEnumerable<Value> weights, IEnumerable<Block> blocks)
{
    public string Name { get; } = name;

    public ImmutableArray<ProgramInput> Inputs { get; } = [.. inputs];

    public ImmutableArray<IRType> ResultTypes { get; } = [.. resultTypes];

    public ImmutableArray<Value> Weights { get; } = [.. weights];

    public ImmutableArray<Block> Blocks { get; } = [.. blocks];

    public Block Entry => Blocks.Length > 0 ? Blocks[0] : throw new InvalidOperationException($"program @{Name} has no blocks");

    public Block? FindBlock(string name) => Blocks.FirstOrDefault(b => b.Name == name);

    public Value? FindWeight(string name) => Weights.FirstOrDefault(w => w.Name == name);

    /// <summary>The text form (see <see cref="IRPrinter"/>).</summary>
    public override string ToString() => IRPrinter.Print(this);

    /// <summary>Parses the text form (see <see cref="IRParser"/>).</summary>
    public static IRProgram Parse(string text) => IRParser.Parse(text);
}

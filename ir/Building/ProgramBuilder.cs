namespace DyCompile.IR;

/// <summary>Builds a <see cref="IRProgram"/>; every node's result type is inferred on the spot:
/// <code>
/// var pb = new ProgramBuilder("double_until");
/// var x = pb.Input("x", IRType.F32(4));
/// var loop = pb.Block("loop");
/// var exit = pb.Block("exit");
/// var h = loop.Parameter("h", IRType.F32(4));
/// pb.Entry.Jump(loop, x);
/// var y = loop.Add(h, h);
/// var big = loop.Host("gt", loop.Item(loop.Sum(y, [])), loop.Const(100f));
/// loop.Branch(big, exit, [y], loop, [y]);
/// exit.Return(exit.Parameter("r", IRType.F32(4)));
/// IRProgram p = pb.Build();
/// </code>
/// Blocks appear in the program in creation order; the entry block comes first and its
/// parameters are the program inputs.</summary>
public sealed class ProgramBuilder
{
    private readonly NameScope _names = new();
    private readonly List<ProgramInput> _inputs = [];
    private readonly List<Value> _weights = [];
    private readonly List<BlockBuilder> _blocks = [];
    private List<IRType>? _resultTypes;

    public ProgramBuilder(string name, string entryName = "entry")
    {
        Name = IRNames.Require(name, "program");
        Entry = Block(entryName);
    }

    public string Name { get; }

    public BlockBuilder Entry { get; }

    /// <summary>Adds a program input; it is also a parameter of the entry block.</summary>
    public Value Input(string name, IRType type)
    {
        _inputs.Add(new ProgramInput(name, type));
        return Entry.Parameter(name, type);
    }

    public Value Weight(string name, IRType type)
    {
        IRNames.Require(name, "weight");
        if (_weights.Exists(w => w.Name == name)) throw new ArgumentException($"weight @{name} is already declared");
        var w = new Value(name, type, ValueKind.Weight);
        _weights.Add(w);
        return w;
    }

    public BlockBuilder Block(string name)
    {
        IRNames.Require(name, "block");
        if (_blocks.Exists(b => b.Name == name)) throw new ArgumentException($"block ^{name} already exists");
        var b = new BlockBuilder(name, _names);
        _blocks.Add(b);
        return b;
    }

    /// <summary>Declares the result types. When not declared, the types of the values returned
    /// by the first <c>return</c> are used.</summary>
    public ProgramBuilder Returns(params IRType[] types)
    {
        _resultTypes = [.. types];
        return this;
    }

    public IRProgram Build()
    {
        var blocks = _blocks.Select(b => b.Build()).ToList();
        var results = _resultTypes
            ?? blocks.SelectMany(b => b.Instructions).OfType<Return>().FirstOrDefault()?.Values.Select(v => v.Type).ToList()
            ?? [];
        return new IRProgram(Name, _inputs, results, _weights, blocks);
    }
}

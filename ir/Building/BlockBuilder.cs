namespace DyCompile.IR;

/// <summary>Builds one block of a <see cref="ProgramBuilder"/>: parameters, body, terminator.</summary>
public sealed class BlockBuilder : DataflowBuilder
{
    private readonly List<Value> _parameters = [];

    internal BlockBuilder(string name, NameScope names) : base(names) => Name = name;

    public string Name { get; }

    public IReadOnlyList<Value> Parameters => _parameters;

    public Value this[int parameter] => _parameters[parameter];

    public Value Parameter(string name, IRType type)
    {
        var v = new Value(Names.Fresh(name), type, ValueKind.Parameter);
        _parameters.Add(v);
        return v;
    }

    public void Jump(BlockBuilder target, params Value[] arguments) => Append(new Jump(BlockTarget.To(target.Name, arguments)));

    public void Branch(Value condition, BlockBuilder ifTrue, IReadOnlyList<Value> trueArguments, BlockBuilder ifFalse, IReadOnlyList<Value> falseArguments) =>
        Append(new Branch(condition, new BlockTarget(ifTrue.Name, [.. trueArguments]), new BlockTarget(ifFalse.Name, [.. falseArguments])));

    public void Return(params Value[] values) => Append(new Return(values));

    /// <summary>Appends any instruction as is (terminators included, even several).</summary>
    public void Append(Instruction instruction) => Instructions.Add(instruction);

    internal Block Build() => new(Name, _parameters, Instructions);
}

using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>Appends nodes to a dataflow body (a block or a graph), inferring result types
/// through the <see cref="OpCatalog"/>. An application the catalog rejects throws
/// <see cref="IRTypeException"/> at once, so a built program is well typed by construction;
/// <see cref="Raw"/> bypasses inference to build deliberately malformed programs.</summary>
public abstract class DataflowBuilder
{
    private protected DataflowBuilder(NameScope names) => Names = names;

    private protected NameScope Names { get; }

    private protected List<Instruction> Instructions { get; } = [];

    /// <summary>Applies a single-result op: <c>b.Op("relu", x)</c>.</summary>
    public Value Op(string op, params Value[] operands) => Op(op, operands, null);

    /// <summary>Applies a single-result op with attributes: <c>b.Op("sum", [x], new Attrs { { "dims", new int[0] }, { "keepdim", false } })</c>.</summary>
    public Value Op(string op, IReadOnlyList<Value> operands, Attrs? attrs, string? name = null)
    {
        var results = Ops(op, operands, attrs, name is null ? null : [name]);
        return results.Count == 1 ? results[0] : throw new IRTypeException(op, $"has {results.Count} results; use Ops");
    }

    /// <summary>Applies an op with any number of results (topk, split).</summary>
    public IReadOnlyList<Value> Ops(string op, IReadOnlyList<Value> operands, Attrs? attrs = null, IReadOnlyList<string>? names = null)
    {
        attrs ??= new Attrs();
        var types = OpCatalog.Infer(op, operands.Select(v => v.Type).ToList(), attrs).Unwrap();
        if (names is not null && names.Count != types.Count)
            throw new ArgumentException($"{op} has {types.Count} result(s), {names.Count} name(s) given");
        var results = types.Select((t, i) => new Value(Names.Fresh(names?[i]), t, ValueKind.Result)).ToList();
        Instructions.Add(new Node(op, operands, attrs, results));
        return results;
    }

    /// <summary>Appends a node exactly as given: no inference, no checks, names may repeat.
    /// For tests of the verifier and for passes that already know the types.</summary>
    public IReadOnlyList<Value> Raw(string op, IReadOnlyList<Value> operands, Attrs? attrs, IReadOnlyList<IRType> resultTypes, IReadOnlyList<string>? names = null, ConstPayload? payload = null)
    {
        var results = resultTypes.Select((t, i) =>
        {
            var name = names?[i];
            if (name is null) name = Names.Fresh();
            else Names.Claim(name);
            return new Value(name, t, ValueKind.Result);
        }).ToList();
        Instructions.Add(new Node(op, operands, attrs, results, payload));
        return results;
    }

    // ---- constants ----

    public Value Const(int value, string? name = null) => AddConst(IRType.Int, [value], name);

    public Value Const(float value, string? name = null) => AddConst(IRType.Float, [value], name);

    public Value Const(bool value, string? name = null) => AddConst(IRType.Bool, [value ? 1 : 0], name);

    /// <summary>A small tensor literal; <paramref name="values"/> are the elements in row-major order.</summary>
    public Value Const(TensorType type, IReadOnlyList<double> values, string? name = null)
    {
        if (!type.IsStatic || values.Count != type.ElementCount)
            throw new ArgumentException($"a constant of type {type} needs {type.ElementCount} elements, got {values.Count}");
        return AddConst(type, values, name);
    }

    private Value AddConst(IRType type, IReadOnlyList<double> values, string? name)
    {
        var result = new Value(Names.Fresh(name), type, ValueKind.Result);
        Instructions.Add(new Node("const", [], null, [result], ConstPayload.Of([.. values])));
        return result;
    }

    // ---- typed helpers for common tensor ops ----

    public Value Add(Value a, Value b) => Op("add", a, b);
    public Value Sub(Value a, Value b) => Op("sub", a, b);
    public Value Mul(Value a, Value b) => Op("mul", a, b);
    public Value Div(Value a, Value b) => Op("div", a, b);
    public Value MatMul(Value a, Value b) => Op("matmul", a, b);
    public Value Linear(Value x, Value weight, Value bias) => Op("linear", x, weight, bias);
    public Value Relu(Value x) => Op("relu", x);
    public Value Exp(Value x) => Op("exp", x);
    public Value Tanh(Value x) => Op("tanh", x);
    public Value Sigmoid(Value x) => Op("sigmoid", x);
    public Value Gt(Value a, Value b) => Op("gt", a, b);
    public Value Lt(Value a, Value b) => Op("lt", a, b);
    public Value Where(Value condition, Value a, Value b) => Op("where", condition, a, b);
    public Value Cast(Value x, DType dtype) => Op("cast", [x], new Attrs { { "dtype", dtype } });
    public Value Softmax(Value x, int dim) => Op("softmax", [x], new Attrs { { "dim", dim } });
    public Value Sum(Value x, int[] dims, bool keepdim = false) => Reduce("sum", x, dims, keepdim);
    public Value Mean(Value x, int[] dims, bool keepdim = false) => Reduce("mean", x, dims, keepdim);
    public Value Max(Value x, int[] dims, bool keepdim = false) => Reduce("max", x, dims, keepdim);
    public Value ArgMax(Value x, int dim, bool keepdim = false) => Op("argmax", [x], new Attrs { { "dim", dim }, { "keepdim", keepdim } });
    public Value Reshape(Value x, params int[] shape) => Op("reshape", [x], new Attrs { { "shape", shape } });

    private Value Reduce(string op, Value x, int[] dims, bool keepdim) => Op(op, [x], new Attrs { { "dims", dims }, { "keepdim", keepdim } });

    /// <summary>Reads a one-element tensor back to the host as a float.</summary>
    public Value Item(Value x) => Op("item", x);

    /// <summary>A host float as a 0-d f32 tensor.</summary>
    public Value FromScalar(Value x) => Op("tensor.from_scalar", x);

    // ---- host-scalar ops ----

    /// <summary>A host-scalar op by its short name: <c>b.Host("add", i, one)</c> is <c>host.add</c>.</summary>
    public Value Host(string op, params Value[] operands) => Op("host." + op, operands);

    public Value ToFloat(Value x) => Host("to_float", x);
    public Value ToInt(Value x) => Host("to_int", x);
    public Value Not(Value x) => Host("not", x);
    public Value Select(Value condition, Value a, Value b) => Host("select", condition, a, b);
}

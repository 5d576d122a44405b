using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;

namespace DyCompile.IR;

/// <summary>The reference interpreter: runs a program on concrete inputs, calling the runtime
/// kernel of each tensor op and evaluating host-scalar ops itself. Values are <see cref="Tensor"/>s
/// and the host scalars int, float and bool.</summary>
public sealed class Interpreter(InterpreterOptions? options = null)
{
    private readonly InterpreterOptions _options = options ?? new InterpreterOptions();

    /// <summary>Runs <paramref name="program"/> from its entry block until a <c>return</c>.</summary>
    public RunResult Run(IRProgram program, IReadOnlyList<object> inputs, IReadOnlyDictionary<string, Tensor>? weights = null)
    {
        CheckValues($"program @{program.Name}", "input", program.Inputs.Select(i => (i.Name, i.Type)).ToList(), inputs);
        var weightValues = BindWeights(program.Weights, weights);
        var path = new List<string>();
        long steps = 0;
        var block = program.Entry;
        IReadOnlyList<object> arguments = inputs;
        while (true)
        {
            if (_options.RecordPath) path.Add(block.Name);
            var env = new Dictionary<Value, object>(weightValues);
            if (arguments.Count != block.Parameters.Length)
                throw new InterpreterException($"^{block.Name} has {block.Parameters.Length} parameter(s) but receives {arguments.Count} value(s)");
            for (var i = 0; i < block.Parameters.Length; i++) env[block.Parameters[i]] = arguments[i];
            Terminator? terminator = null;
            foreach (var ins in block.Instructions)
            {
                if (++steps > _options.StepLimit)
                    throw new InterpreterException($"step limit of {_options.StepLimit} reached in ^{block.Name} of @{program.Name}; the program may not terminate (raise InterpreterOptions.StepLimit if it should)");
                if (ins is Terminator t)
                {
                    terminator = t;
                    break;
                }
                Execute(block.Name, (Node)ins, env);
            }
            switch (terminator)
            {
                case Return ret:
                    return new RunResult(ret.Values.Select(v => Read(block.Name, env, v)).ToList(), path, steps);
                case Jump jump:
                    (block, arguments) = Enter(program, block, jump.Target, env);
                    break;
                case Branch branch:
                    var condition = Read(block.Name, env, branch.Condition) as bool?
                        ?? throw new InterpreterException($"^{block.Name}: branch condition %{branch.Condition.Name} is not a host bool");
                    (block, arguments) = Enter(program, block, condition ? branch.IfTrue : branch.IfFalse, env);
                    break;
                default:
                    throw new InterpreterException($"^{block.Name}: block ends without a terminator");
            }
        }
    }

    /// <summary>Runs a static graph and returns its outputs.</summary>
    public IReadOnlyList<object> Run(Graph graph, IReadOnlyList<object> inputs, IReadOnlyDictionary<string, Tensor>? weights = null)
    {
        CheckValues($"graph @{graph.Name}", "input", graph.Inputs.Select(i => (i.Name, i.Type)).ToList(), inputs);
        var env = new Dictionary<Value, object>(BindWeights(graph.Weights, weights));
        for (var i = 0; i < graph.Inputs.Length; i++) env[graph.Inputs[i]] = inputs[i];
        foreach (var node in graph.Nodes) Execute(graph.Name, node, env);
        return graph.Outputs.Select(v => Read(graph.Name, env, v)).ToList();
    }

    private static (Block, IReadOnlyList<object>) Enter(IRProgram program, Block from, BlockTarget target, Dictionary<Value, object> env)
    {
        var next = program.FindBlock(target.Block) ?? throw new InterpreterException($"^{from.Name}: no block ^{target.Block}");
        if (next.Parameters.Length != target.Arguments.Length)
            throw new InterpreterException($"^{from.Name}: ^{next.Name} takes {next.Parameters.Length} argument(s), {target.Arguments.Length} given");
        return (next, target.Arguments.Select(v => Read(from.Name, env, v)).ToList());
    }

    private static Dictionary<Value, object> BindWeights(IEnumerable<Value> declared, IReadOnlyDictionary<string, Tensor>? weights)
    {
        var result = new Dictionary<Value, object>();
        foreach (var w in declared)
        {
            if (weights is null || !weights.TryGetValue(w.Name, out var tensor))
                throw new InterpreterException($"weight @{w.Name} : {w.Type} was not supplied");
            CheckValue($"weight @{w.Name}", w.Type, tensor);
            result[w] = tensor;
        }
        return result;
    }

    private static void CheckValues(string owner, string what, IReadOnlyList<(string Name, IRType Type)> expected, IReadOnlyList<object> actual)
    {
        if (expected.Count != actual.Count)
            throw new InterpreterException($"{owner} takes {expected.Count} {what}(s), {actual.Count} given");
        for (var i = 0; i < expected.Count; i++)
            CheckValue($"{owner}: {what} %{expected[i].Name}", expected[i].Type, actual[i]);
    }

    private static void CheckValue(string what, IRType type, object value)
    {
        var ok = (type, value) switch
        {
            (TensorType t, Tensor v) => t.Accepts(v.DType, v.Shape),
            (ScalarType { Kind: ScalarKind.Int }, int) => true,
            (ScalarType { Kind: ScalarKind.Float }, float) => true,
            (ScalarType { Kind: ScalarKind.Bool }, bool) => true,
            _ => false,
        };
        if (!ok) throw new InterpreterException($"{what} must be {type}, got {Describe(value)}");
    }

    private static string Describe(object value) => value switch
    {
        Tensor t => $"tensor<{t.DType.ShortName()}, {Shapes.Format(t.Shape)}>",
        _ => $"{value.GetType().Name} {value}",
    };

    private static object Read(string block, Dictionary<Value, object> env, Value v) =>
        env.TryGetValue(v, out var value) ? value : throw new InterpreterException($"^{block}: {v.Ref} has no value here");

    private void Execute(string block, Node node, Dictionary<Value, object> env)
    {
        IReadOnlyList<object> results;
        try
        {
            var operands = node.Operands.Select(v => Read(block, env, v)).ToList();
            results = node.Op switch
            {
                "const" => [Constant(node)],
                "tensor.from_scalar" => [Tensor.Scalar((float)operands[0])],
                "host.call" => [_options.Callbacks.Invoke((int)operands[0], operands.Skip(1).ToList())],
                _ when node.Op.StartsWith("host.", StringComparison.Ordinal) => [HostEvaluator.Evaluate(node.Op, operands)],
                _ => CallKernel(node, operands),
            };
        }
        catch (InterpreterException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InterpreterException($"^{block}: '{IRPrinter.Print(node)}' failed: {e.Message}", e);
        }
        if (results.Count != node.Results.Length)
            throw new InterpreterException($"^{block}: '{IRPrinter.Print(node)}' produced {results.Count} result(s), the node declares {node.Results.Length}");
        for (var i = 0; i < results.Count; i++)
        {
            CheckValue($"^{block}: result %{node.Results[i].Name} of '{node.Op}'", node.Results[i].Type, results[i]);
            env[node.Results[i]] = results[i];
        }
    }

    private static IReadOnlyList<object> CallKernel(Node node, List<object> operands)
    {
        if (!KernelRegistry.TryGet(node.Op, out var kernel))
            throw new InterpreterException($"no kernel for op '{node.Op}' in the runtime");
        return kernel.Invoke(operands, node.Attrs);
    }

    /// <summary>The value of a <c>const</c> node: a host scalar or a tensor built from the payload.</summary>
    public static object Constant(Node node)
    {
        var payload = node.Payload ?? throw new InterpreterException($"const %{node.Result.Name} has no payload");
        var values = payload.Values;
        return node.Result.Type switch
        {
            ScalarType { Kind: ScalarKind.Int } => (int)values[0],
            ScalarType { Kind: ScalarKind.Float } => (float)values[0],
            ScalarType { Kind: ScalarKind.Bool } => values[0] != 0,
            TensorType t => t.DType switch
            {
                DType.Float32 => Tensor.FromArray(values.Select(v => (float)v).ToArray(), [.. t.Shape]),
                DType.Int32 => Tensor.FromArray(values.Select(v => (int)v).ToArray(), [.. t.Shape]),
                DType.Int64 => Tensor.FromArray(values.Select(v => (long)v).ToArray(), [.. t.Shape]),
                _ => Tensor.FromArray(values.Select(v => v != 0).ToArray(), [.. t.Shape]),
            },
            _ => throw new InterpreterException($"const of unsupported type {node.Result.Type}"),
        };
    }
}

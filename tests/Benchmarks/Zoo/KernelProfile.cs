using System.Diagnostics;
using System.Globalization;
using System.Text;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Benchmarks.Zoo;

/// <summary>Where the runtime's kernels spend a lowered program's time: the program walked as the
/// interpreter walks it, each node timed and summed per IR op. The compiled code calls these same
/// kernels for the dense ops (GEMM, convolution, layer norm, attention's batched matmul) and fuses
/// the elementwise chains around them, so this is the side of the comparison with ONNX Runtime's
/// per-operator profile that says which kernel falls behind.</summary>
internal sealed class KernelProfile
{
    private readonly Dictionary<string, (double Us, int Count)> _totals = [];
    private int _runs;

    public void Run(IRProgram program, IReadOnlyList<object> inputs, IReadOnlyDictionary<string, Tensor> weights)
    {
        _runs++;
        var bound = program.Weights.ToDictionary(w => w, w => (object)weights[w.Name]);
        var block = program.Entry;
        IReadOnlyList<object> arguments = inputs;
        while (true)
        {
            var env = new Dictionary<Value, object>(bound);
            for (var i = 0; i < block.Parameters.Length; i++) env[block.Parameters[i]] = arguments[i];
            foreach (var node in block.Nodes) Execute(node, env);
            switch (block.Terminator)
            {
                case Return:
                    return;
                case Jump jump:
                    (block, arguments) = Enter(program, jump.Target, env);
                    break;
                case Branch branch:
                    (block, arguments) = Enter(program, (bool)env[branch.Condition] ? branch.IfTrue : branch.IfFalse, env);
                    break;
                default:
                    throw new InvalidOperationException($"^{block.Name} has no terminator");
            }
        }
    }

    private static (Block, IReadOnlyList<object>) Enter(IRProgram program, BlockTarget target, Dictionary<Value, object> env) =>
        (program.FindBlock(target.Block)!, target.Arguments.Select(v => env[v]).ToList());

    private void Execute(Node node, Dictionary<Value, object> env)
    {
        var operands = node.Operands.Select(v => env[v]).ToList();
        var start = Stopwatch.GetTimestamp();
        IReadOnlyList<object> results = node.Op switch
        {
            "const" => [Interpreter.Constant(node)],
            "tensor.from_scalar" => [Tensor.Scalar((float)operands[0])],
            "host.call" => throw new InvalidOperationException("the kernel profile runs models without eager regions"),
            _ when node.Op.StartsWith("host.", StringComparison.Ordinal) => [HostEvaluator.Evaluate(node.Op, operands)],
            _ => KernelRegistry.TryGet(node.Op, out var kernel)
                ? kernel.Invoke(operands, node.Attrs)
                : throw new InvalidOperationException($"no kernel for '{node.Op}'"),
        };
        var us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        var key = Key(node, operands);
        var (total, count) = _totals.GetValueOrDefault(key);
        _totals[key] = (total + us, count + 1);
        for (var i = 0; i < results.Count; i++) env[node.Results[i]] = results[i];
    }

    /// <summary>The op, and for a convolution its kind (depthwise, pointwise or k×k, stride), since
    /// they run on different kernels.</summary>
    private static string Key(Node node, List<object> operands)
    {
        if (node.Op != "conv2d" || operands[1] is not Tensor weight) return node.Op;
        var groups = node.Attrs.GetInt("groups");
        var stride = node.Attrs["stride"] is IntsAttr { Values: [var s, ..] } ? s : 1;
        var kind = groups > 1 && weight.Dim(1) == 1 ? "depthwise" : $"{weight.Dim(2)}x{weight.Dim(3)}";
        return $"conv2d {kind} s{stride}";
    }

    public string Summarize()
    {
        var all = _totals.Values.Sum(t => t.Us);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"runtime kernels, per IR op over {_runs} runs ({all / 1000 / Math.Max(1, _runs):F2} ms per run):");
        foreach (var (op, (us, count)) in _totals.OrderByDescending(t => t.Value.Us).Take(16))
            text.AppendLine(CultureInfo.InvariantCulture, $"  {op,-28} {us / 1000 / Math.Max(1, _runs),9:F3} ms/run {100 * us / Math.Max(1, all),5:F1}%  ({count} calls)");
        return text.ToString();
    }
}

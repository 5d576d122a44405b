using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>Which dense ops get their elementwise tail folded into their store on the device. For
/// conv2d that is the fusion planner's <see cref="ConvolutionEpilogue"/>, as on the CPU. For
/// linear and matmul it is the same fixed set — <c>relu(p)</c>, <c>p + r</c>, <c>relu(p + r)</c>
/// with a residual <c>r</c> of the product's own static f32 type — when the step after the product
/// is its only reader: a single relu or add node, or the fused loop the planner marks as the
/// product's epilogue (<see cref="ElementwiseLoop.EpilogueOf"/>).</summary>
internal static class DenseEpilogues
{
    private static readonly HashSet<string> Products = ["linear", "matmul"];

    /// <summary>How many nodes read each value, a graph output counting as one more.</summary>
    public static Dictionary<Value, int> Readers(Graph graph)
    {
        var readers = new Dictionary<Value, int>();
        foreach (var n in graph.Nodes)
            foreach (var v in n.Operands) readers[v] = readers.GetValueOrDefault(v) + 1;
        foreach (var v in graph.Outputs) readers[v] = readers.GetValueOrDefault(v) + 1;
        return readers;
    }

    public static DenseEpilogueStep? Of(ConvolutionEpilogue fused) =>
        Kernels.GpuKernelLibrary.KernelType(fused.Convolution.Op) is { } kernel && typeof(Kernels.IDenseEpilogueKernel).IsAssignableFrom(kernel)
            ? new DenseEpilogueStep(fused.Convolution, kernel, fused.Residual, fused.Relu, fused.Absorbed, fused.Output)
            : null;

    /// <summary>The product <paramref name="dense"/> with <paramref name="next"/> folded into its store, or null.</summary>
    public static DenseEpilogueStep? Match(Node dense, FusionStep next, Dictionary<Value, int> readers)
    {
        if (!Products.Contains(dense.Op) || dense.Results.Length != 1) return null;
        var p = dense.Result;
        if (p.Type is not TensorType { DType: DType.Float32, IsStatic: true } || readers.GetValueOrDefault(p) != 1) return null;
        if (Kernels.GpuKernelLibrary.KernelType(dense.Op) is not { } kernel || !typeof(Kernels.IDenseEpilogueKernel).IsAssignableFrom(kernel)) return null;

        IReadOnlyList<Node> nodes;
        Value output;
        switch (next)
        {
            case NodeStep { Node: { Results.Length: 1 } single }:
                (nodes, output) = ([single], single.Result);
                break;
            case ElementwiseLoop { EpilogueOf: var of, Nodes: { Count: <= 2 } loopNodes, Outputs: [var loopOutput] } when of == dense:
                (nodes, output) = (loopNodes, loopOutput);
                break;
            default:
                return null;
        }
        var first = nodes[0];
        if (first.Op == "relu" && nodes.Count == 1 && first.Operands[0] == p)
            return new DenseEpilogueStep(dense, kernel, null, true, nodes, output);
        if (first.Op != "add" || first.Operands.Length != 2 || first.Operands.Count(v => v == p) != 1) return null;
        var residual = first.Operands[0] == p ? first.Operands[1] : first.Operands[0];
        if (!Equals(residual.Type, p.Type)) return null;
        if (nodes.Count == 1) return output == first.Result ? new DenseEpilogueStep(dense, kernel, residual, false, nodes, output) : null;
        var relu = nodes[1];
        return relu.Op == "relu" && relu.Operands[0] == first.Result && readers.GetValueOrDefault(first.Result) == 1 && output == relu.Result
            ? new DenseEpilogueStep(dense, kernel, residual, true, nodes, output)
            : null;
    }
}

using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Benchmarks;

/// <summary>The graphs the optimizer benchmarks run on.</summary>
public enum SampleGraph
{
    /// <summary>(A·B)·C with A 64×2, B 2×64, C 64×2: A·B is 64×64, so A·(B·C) (through 2×2) is cheaper.</summary>
    MatMulChain,

    /// <summary>conv2d (3→8 channels, 3×3, 8×8 image) → batch_norm → relu, all weights known, so
    /// batch norm folds into the convolution's weight and bias.</summary>
    ConvBatchNormRelu,

    /// <summary>Eight 16-wide layers, each written as transpose(transpose(h))·W + b, relu(relu(…)):
    /// an identity transpose pair and a doubled relu per layer, matmul + add fusable into linear.</summary>
    Mlp8,

    /// <summary>relu(transpose(transpose(x))) whose transposes cancel.</summary>
    DoubleTranspose,
}

/// <summary>Builds the <see cref="SampleGraph"/>s (and the weights the folding needs).</summary>
public static class SampleGraphs
{
    public static (Graph Graph, IReadOnlyDictionary<string, Tensor>? Weights) Build(SampleGraph which) => which switch
    {
        SampleGraph.MatMulChain => (MatMulChain(), null),
        SampleGraph.ConvBatchNormRelu => ConvBatchNormRelu(),
        SampleGraph.Mlp8 => (Mlp(8), null),
        SampleGraph.DoubleTranspose => (DoubleTranspose(), null),
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };

    private static Attrs Transpose(int dim0, int dim1) => new() { { "dim0", dim0 }, { "dim1", dim1 } };

    private static Graph MatMulChain()
    {
        var g = new GraphBuilder("chain");
        Value a = g.Input("a", IRType.F32(64, 2)), b = g.Input("b", IRType.F32(2, 64)), c = g.Input("c", IRType.F32(64, 2));
        return g.Build(g.MatMul(g.MatMul(a, b), c));
    }

    private static (Graph, IReadOnlyDictionary<string, Tensor>) ConvBatchNormRelu()
    {
        var g = new GraphBuilder("conv_bn_relu");
        var x = g.Input("x", IRType.F32(1, 3, 8, 8));
        var w = g.Weight("w", IRType.F32(8, 3, 3, 3));
        var b = g.Weight("b", IRType.F32(8));
        Value[] bn = [g.Weight("mean", IRType.F32(8)), g.Weight("var", IRType.F32(8)), g.Weight("gamma", IRType.F32(8)), g.Weight("beta", IRType.F32(8))];
        var conv = g.Op("conv2d", [x, w, b], new Attrs { { "stride", new[] { 1 } }, { "padding", new[] { 1 } }, { "dilation", new[] { 1 } }, { "groups", 1 } });
        var norm = g.Op("batch_norm", [conv, .. bn], new Attrs { { "eps", 1e-5f } });
        var graph = g.Build(g.Relu(norm));

        var random = new Random(11);
        Tensor Uniform(int[] shape, float lo, float hi) =>
            Tensor.FromArray([.. Enumerable.Range(0, shape.Aggregate(1, (s, d) => s * d)).Select(_ => lo + (float)random.NextDouble() * (hi - lo))], shape);
        var weights = new Dictionary<string, Tensor>
        {
            ["w"] = Uniform([8, 3, 3, 3], -1, 1), ["b"] = Uniform([8], -1, 1), ["mean"] = Uniform([8], -0.5f, 0.5f),
            // Variances stay positive: batch norm divides by sqrt(var + eps).
            ["var"] = Uniform([8], 0.1f, 2), ["gamma"] = Uniform([8], 0.5f, 1.5f), ["beta"] = Uniform([8], -0.5f, 0.5f),
        };
        return (graph, weights);
    }

    private static Graph Mlp(int layers)
    {
        var g = new GraphBuilder("mlp");
        var h = g.Input("x", IRType.F32(4, 16));
        for (var layer = 0; layer < layers; layer++)
        {
            var w = g.Weight($"w{layer}", IRType.F32(16, 16));
            var b = g.Weight($"b{layer}", IRType.F32(16));
            var t = g.Op("transpose", [g.Op("transpose", [h], Transpose(0, 1))], Transpose(1, 0));
            h = g.Relu(g.Relu(g.Add(g.MatMul(t, w), b)));
        }
        return g.Build(h);
    }

    private static Graph DoubleTranspose()
    {
        var g = new GraphBuilder("tt");
        var x = g.Input("x", IRType.F32(2, 3, 4));
        var t = g.Op("transpose", [g.Op("transpose", [x], Transpose(0, 2))], Transpose(-1, 0));
        return g.Build(g.Relu(t));
    }
}

using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Backends.Tests;

public class StraightLineExportTests
{
    /// <summary>A small CNN classifier: conv, batch norm, relu, max pool, flatten, linear, layer norm,
    /// gelu, linear, softmax, top-k — one block, many ops, real weights.</summary>
    [Fact]
    public void SmallConvNetAgrees()
    {
        var g = new Gen(21);
        var weights = new Dictionary<string, Tensor>
        {
            ["conv_w"] = g.Normal(4, 3, 3, 3) * 0.3f, ["conv_b"] = g.Normal(4) * 0.1f,
            ["bn_mean"] = g.Normal(4) * 0.1f, ["bn_var"] = g.Uniform(0.5f, 1.5f, 4), ["bn_w"] = g.Uniform(0.5f, 1.5f, 4), ["bn_b"] = g.Normal(4) * 0.1f,
            ["fc_w"] = g.Normal(16, 64) * 0.1f, ["fc_b"] = g.Normal(16) * 0.1f,
            ["ln_w"] = g.Uniform(0.5f, 1.5f, 16), ["ln_b"] = g.Normal(16) * 0.1f,
            ["out_w"] = g.Normal(5, 16) * 0.3f, ["out_b"] = g.Normal(5) * 0.1f,
        };
        var pb = new ProgramBuilder("small_cnn");
        var x = pb.Input("image", IRType.F32(2, 3, 8, 8));
        Value W(string name) => pb.Weight(name, new TensorType(DType.Float32, weights[name].ShapeArray()));
        var b = pb.Entry;
        var h = b.Op("conv2d", [x, W("conv_w"), W("conv_b")], new Attrs { { "stride", new[] { 1, 1 } }, { "padding", new[] { 1, 1 } }, { "dilation", new[] { 1, 1 } }, { "groups", 1 } });
        h = b.Op("batch_norm", [h, W("bn_mean"), W("bn_var"), W("bn_w"), W("bn_b")], new Attrs { { "eps", 1e-5f } });
        h = b.Relu(h);
        h = b.Op("max_pool2d", [h], new Attrs { { "kernelSize", new[] { 2, 2 } }, { "stride", new[] { 2, 2 } }, { "padding", new[] { 0, 0 } } });
        h = b.Reshape(h, 2, -1);
        h = b.Linear(h, W("fc_w"), W("fc_b"));
        h = b.Op("layer_norm", [h, W("ln_w"), W("ln_b")], new Attrs { { "eps", 1e-5f } });
        h = b.Op("gelu", h);
        var logits = b.Linear(h, W("out_w"), W("out_b"));
        var probabilities = b.Softmax(logits, -1);
        var top = b.Ops("topk", [probabilities], new Attrs { { "k", 2 }, { "dim", 1 }, { "largest", true } });
        b.Return(probabilities, top[0], top[1], b.ArgMax(logits, 1));
        var program = pb.Build();
        for (var seed = 0; seed < 4; seed++)
            Agreement.Check(program, weights, [new Gen(seed).Normal(2, 3, 8, 8)]);
    }
}

using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Work on weights alone (the folded batch-norm of a conv) runs once per call site when
/// the compiled program is created, not on every call, and segments stay shared between call
/// sites with different weights.</summary>
public class WeightPreparationTests
{
    /// <summary>Two conv → batch_norm → relu layers of one structure (so one distinct segment) with
    /// their own weights, split by exit tests so each layer is its own segment.</summary>
    private const string TwoLayers = """
        program @convbn(%x: tensor<f32, [1, 3, 6, 6]>, %thr: float) -> (tensor<f32, [1, 3, 6, 6]>) {
          weight @w1 : tensor<f32, [3, 3, 3, 3]>
          weight @b1 : tensor<f32, [3]>
          weight @m1 : tensor<f32, [3]>
          weight @v1 : tensor<f32, [3]>
          weight @g1 : tensor<f32, [3]>
          weight @be1 : tensor<f32, [3]>
          weight @w2 : tensor<f32, [3, 3, 3, 3]>
          weight @b2 : tensor<f32, [3]>
          weight @m2 : tensor<f32, [3]>
          weight @v2 : tensor<f32, [3]>
          weight @g2 : tensor<f32, [3]>
          weight @be2 : tensor<f32, [3]>
        ^entry(%x: tensor<f32, [1, 3, 6, 6]>, %thr: float):
          %c = conv2d(%x, @w1, @b1) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}
          %n = batch_norm(%c, @m1, @v1, @g1, @be1) {eps = 0.00001}
          %r = relu(%n)
          %s = sum(%r) {dims = [], keepdim = false}
          %v = item(%s)
          %stop = host.gt(%v, %thr)
          branch %stop, ^exit(%r), ^more(%r, %thr)
        ^more(%y: tensor<f32, [1, 3, 6, 6]>, %thr2: float):
          %c2 = conv2d(%y, @w2, @b2) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}
          %n2 = batch_norm(%c2, @m2, @v2, @g2, @be2) {eps = 0.00001}
          %r2 = relu(%n2)
          %s2 = sum(%r2) {dims = [], keepdim = false}
          %u = item(%s2)
          %stop2 = host.gt(%u, %thr2)
          branch %stop2, ^exit(%r2), ^tail(%r2)
        ^tail(%t: tensor<f32, [1, 3, 6, 6]>):
          %z = neg(%t)
          jump ^exit(%z)
        ^exit(%out: tensor<f32, [1, 3, 6, 6]>):
          return %out
        }
        """;

    [Fact]
    public void FoldedBatchNormIsPreparedOnceAndAgreesWithTheInterpreter()
    {
        var program = IRProgram.Parse(TwoLayers);
        var rng = new Random(5);
        var weights = program.Weights.ToDictionary(w => w.Name, w => Random(rng, (TensorType)w.Type, w.Name.StartsWith('v') ? 0.5f : -1f));
        // If-conversion would merge the tail into the second layer's segment; without it both layers
        // are the same segment.
        var compiled = JitCompiler.Compile(program, weights, new CompileOptions { Partition = new() { IfConversion = false } });

        // The layer segment runs one conv and a relu per call; batch_norm and the weight folding
        // (mul, div, sqrt of the weights) sit in Prepare, called by the host when weights are bound.
        var segments = compiled.Partition.Distinct.Select(d => d.Graph).Where(g => g.Nodes.Any(n => n.Op == "conv2d")).ToList();
        Assert.NotEmpty(segments);
        // Both layers share one distinct segment, each call site with its own prepared weights.
        Assert.True(compiled.Partition.Segments.Count > compiled.Partition.Distinct.Count, compiled.Partition.ToText(withBodies: false));
        Assert.All(segments, g => Assert.DoesNotContain(g.Nodes, n => n.Op == "batch_norm"));
        var layers = compiled.Planned.Segments.Where(s => s.Graph.Nodes.Any(n => n.Op == "conv2d")).ToList();
        Assert.Contains(layers, s => s.Preparation!.Nodes.Any(n => n.Op == "sqrt"));
        foreach (var layer in layers)
        {
            Assert.NotEmpty(layer.Preparation!.Nodes);
            var perCall = Plans.PerCallNodes(layer).ToList();
            Assert.Contains(perCall, n => n.Op == "conv2d");
            Assert.DoesNotContain(perCall, n => n.Op is "sqrt" or "batch_norm");
        }

        var interpreter = new Interpreter();
        foreach (var threshold in new[] { -1e9f, 1e9f, 20f, 60f })
            for (var k = 0; k < 3; k++)
            {
                object[] inputs = [Random(rng, (TensorType)program.Inputs[0].Type, -1f), threshold];
                var expected = interpreter.Run(program, inputs, weights);
                var actual = compiled.Run(inputs);
                Assert.Null(Agreement.Compare(expected, actual, compiled.Partition));
            }
    }

    private static Tensor Random(Random rng, TensorType type, float low)
    {
        var values = new float[type.ElementCount];
        for (var i = 0; i < values.Length; i++) values[i] = low + (1f - low) * rng.NextSingle() * (low < 0 ? 1f : 2f);
        return Tensor.FromArray(values, [.. type.Shape]);
    }
}

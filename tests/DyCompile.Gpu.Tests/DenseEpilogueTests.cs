using DyCompile.Backends.Gpu;
using DyCompile.Compiler.Tests.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests;

/// <summary>A conv2d, linear or matmul followed by relu, a residual add, or both runs as one
/// launch of the dense kernel whose store does the epilogue, and agrees with the interpreter —
/// including a residual that shares the result's buffer.</summary>
public class DenseEpilogueTests
{
    private const string Convolutions = """
        program @blocks(%x: tensor<f32, [1, 4, 6, 6]>) -> (tensor<f32, [1, 4, 6, 6]>, tensor<f32, [1, 4, 3, 3]>) {
          weight @w1 : tensor<f32, [4, 4, 3, 3]>
          weight @b1 : tensor<f32, [4]>
          weight @w2 : tensor<f32, [4, 4, 3, 3]>
          weight @b2 : tensor<f32, [4]>
          weight @w3 : tensor<f32, [4, 4, 3, 3]>
          weight @b3 : tensor<f32, [4]>
          weight @w4 : tensor<f32, [4, 4, 3, 3]>
          weight @b4 : tensor<f32, [4]>
        ^entry(%x: tensor<f32, [1, 4, 6, 6]>):
          %e = exp(%x)
          %g = tanh(%e)
          %c1 = conv2d(%x, @w1, @b1) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}
          %h = relu(%c1)
          %c2 = conv2d(%h, @w2, @b2) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}
          %a2 = add(%c2, %h)
          %o2 = relu(%a2)
          %c3 = conv2d(%o2, @w3, @b3) {stride = [1, 1], padding = [2, 2], dilation = [2, 2], groups = 1}
          %a3 = add(%g, %c3)
          %c4 = conv2d(%a3, @w4, @b4) {stride = [2, 2], padding = [1, 1], dilation = [1, 1], groups = 1}
          %r4 = relu(%c4)
          return %o2, %r4
        }
        """;

    private const string Products = """
        program @mlp(%x: tensor<f32, [5, 6]>, %r: tensor<f32, [5, 4]>) -> (tensor<f32, [5, 4]>, tensor<f32, [5, 4]>, tensor<f32, [5, 4]>) {
          weight @w1 : tensor<f32, [4, 6]>
          weight @b1 : tensor<f32, [4]>
          weight @w2 : tensor<f32, [4, 4]>
          weight @b2 : tensor<f32, [4]>
          weight @m : tensor<f32, [4, 4]>
        ^entry(%x: tensor<f32, [5, 6]>, %r: tensor<f32, [5, 4]>):
          %l1 = linear(%x, @w1, @b1)
          %h = relu(%l1)
          %l2 = linear(%h, @w2, @b2)
          %a = add(%r, %l2)
          %o = relu(%a)
          %p = matmul(%o, @m)
          %q = add(%p, %h)
          return %h, %o, %q
        }
        """;

    /// <summary>conv+bias+relu, conv+residual+relu, conv+residual, conv+relu, and the exp/tanh
    /// chain: five launches a call, where running each epilogue as its own kernel takes nine.</summary>
    [Fact]
    public void ConvolutionEpiloguesRunInTheConvolutionsStore() => Check(Convolutions, launches: 5);

    /// <summary>linear+relu, linear+residual+relu (a fused loop the planner marks as the product's
    /// epilogue), matmul+residual: three launches a call instead of six.</summary>
    [Fact]
    public void ProductEpiloguesRunInTheProductsStore() => Check(Products, launches: 3);

    [Fact]
    public void AProductWhoseResultIsReadTwiceKeepsItsEpilogueSeparate()
    {
        const string shared = """
            program @shared(%x: tensor<f32, [3, 4]>) -> (tensor<f32, [3, 4]>, tensor<f32, [3, 4]>) {
              weight @m : tensor<f32, [4, 4]>
            ^entry(%x: tensor<f32, [3, 4]>):
              %p = matmul(%x, @m)
              %h = relu(%p)
              return %h, %p
            }
            """;
        Check(shared, launches: 2);
    }

    private static void Check(string text, int launches)
    {
        var program = IRProgram.Parse(text);
        var rng = new Random(5);
        var weights = program.Weights.ToDictionary(w => w.Name, w => Random(rng, (TensorType)w.Type, 0.4f));
        using var compiled = GpuCompile.Compile(program, weights);
        var interpreter = new Interpreter();
        for (var k = 0; k < 3; k++)
        {
            object[] inputs = [.. program.Inputs.Select(v => (object)Random(rng, (TensorType)v.Type, 1f))];
            var before = GpuTransfers.Launches;
            var run = compiled.Run(inputs);
            if (k > 0) Assert.Equal(launches, GpuTransfers.Launches - before);  // the first call also runs weight-only work
            Assert.Null(Agreement.Compare(interpreter.Run(program, inputs, weights), run, compiled.Partition));
        }
    }

    private static Tensor Random(Random rng, TensorType type, float scale)
    {
        var values = new float[type.ElementCount];
        for (var i = 0; i < values.Length; i++) values[i] = scale * (2f * rng.NextSingle() - 1f);
        return Tensor.FromArray(values, [.. type.Shape]);
    }
}

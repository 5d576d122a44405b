using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>A pre-activation residual block (bn → relu → conv, with the block's input as the
/// residual, so the batch norm cannot fold into a convolution) compiled with its relu stored by the
/// batch norm agrees with the interpreter, in a buffer of its own and in place of its input.</summary>
public class BatchNormEpilogueTests
{
    private const string PreActivationBlocks = """
        program @p(%x: tensor<f32, [2, 16, 10, 10]>) -> (tensor<f32, [2, 16, 10, 10]>) {
          weight @m1 : tensor<f32, [16]>
          weight @v1 : tensor<f32, [16]>
          weight @g1 : tensor<f32, [16]>
          weight @b1 : tensor<f32, [16]>
          weight @w1 : tensor<f32, [16, 16, 3, 3]>
          weight @c1 : tensor<f32, [16]>
          weight @m2 : tensor<f32, [16]>
          weight @v2 : tensor<f32, [16]>
          weight @g2 : tensor<f32, [16]>
          weight @b2 : tensor<f32, [16]>
          weight @w2 : tensor<f32, [16, 16, 3, 3]>
          weight @c2 : tensor<f32, [16]>
        ^entry(%x: tensor<f32, [2, 16, 10, 10]>):
          %n1 = batch_norm(%x, @m1, @v1, @g1, @b1) {eps = 0.00001}
          %r1 = relu(%n1)
          %h1 = conv2d(%r1, @w1, @c1) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}
          %y1 = add(%h1, %x)
          %n2 = batch_norm(%y1, @m2, @v2, @g2, @b2) {eps = 0.00001}
          %r2 = relu(%n2)
          %h2 = conv2d(%r2, @w2, @c2) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}
          %y2 = add(%h2, %y1)
          return %y2
        }
        """;

    [Fact]
    public void PreActivationBlocksAgreeWithTheInterpreter()
    {
        var program = IRProgram.Parse(PreActivationBlocks);
        var rng = new Random(8);
        var weights = program.Weights.ToDictionary(w => w.Name, w => w.Name.StartsWith('v')
            ? Positive(rng, (TensorType)w.Type)
            : Random(rng, (TensorType)w.Type, w.Name.StartsWith('w') ? 0.2f : 1f));
        var compiled = JitCompiler.Compile(program, weights);

        // Both bn → relu pairs are one step each; no relu runs on its own.
        var steps = Plans.Steps(compiled).ToList();
        Assert.Equal(2, steps.OfType<BatchNormEpilogue>().Count());
        Assert.DoesNotContain(steps, s => s is NodeStep { Node.Op: "relu" or "batch_norm" });

        var interpreter = new Interpreter();
        for (var k = 0; k < 3; k++)
        {
            object[] inputs = [Random(rng, (TensorType)program.Inputs[0].Type, 2f)];
            Assert.Null(Agreement.Compare(interpreter.Run(program, inputs, weights), compiled.Run(inputs), compiled.Partition));
        }
    }

    private static Tensor Random(Random rng, TensorType type, float scale)
    {
        var values = new float[type.ElementCount];
        for (var i = 0; i < values.Length; i++) values[i] = scale * (2f * rng.NextSingle() - 1f);
        return Tensor.FromArray(values, [.. type.Shape]);
    }

    private static Tensor Positive(Random rng, TensorType type)
    {
        var values = new float[type.ElementCount];
        for (var i = 0; i < values.Length; i++) values[i] = 0.5f + rng.NextSingle();
        return Tensor.FromArray(values, [.. type.Shape]);
    }
}

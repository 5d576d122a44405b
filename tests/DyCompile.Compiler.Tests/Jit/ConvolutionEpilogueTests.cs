using DyCompile.Compiler.Jit;
using DyCompile.Passes.Fusion;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Compiled residual blocks whose relu and residual add run inside the convolution's
/// store agree with the interpreter, including a residual that shares the output's buffer and one
/// that is also the convolution's own input (which must not share it).</summary>
public class ConvolutionEpilogueTests
{
    private const string Blocks = """
        program @blocks(%x: tensor<f32, [1, 8, 10, 10]>) -> (tensor<f32, [1, 8, 10, 10]>, tensor<f32, [1, 8, 5, 5]>) {
          weight @w1 : tensor<f32, [8, 8, 3, 3]>
          weight @b1 : tensor<f32, [8]>
          weight @w2 : tensor<f32, [8, 8, 3, 3]>
          weight @b2 : tensor<f32, [8]>
          weight @w3 : tensor<f32, [8, 8, 3, 3]>
          weight @b3 : tensor<f32, [8]>
          weight @w4 : tensor<f32, [8, 8, 3, 3]>
          weight @b4 : tensor<f32, [8]>
        ^entry(%x: tensor<f32, [1, 8, 10, 10]>):
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

    [Fact]
    public void FusedResidualBlocksAgreeWithTheInterpreter()
    {
        var program = IRProgram.Parse(Blocks);
        var rng = new Random(3);
        var weights = program.Weights.ToDictionary(w => w.Name, w => Random(rng, (TensorType)w.Type, 0.3f));
        var compiled = JitCompiler.Compile(program, weights);

        // Every convolution takes its add/relu into its store: no separate relu or add call is left.
        var steps = Plans.Steps(compiled).ToList();
        Assert.Equal(4, steps.OfType<ConvolutionEpilogue>().Count());
        Assert.DoesNotContain(steps, s => s is NodeStep { Node.Op: "relu" or "add" });
        var convolutionResults = steps.OfType<ConvolutionEpilogue>().Select(c => c.Convolution.Result).ToHashSet();
        Assert.DoesNotContain(steps.OfType<ElementwiseLoop>(), loop => loop.Inputs.Any(convolutionResults.Contains));

        var interpreter = new Interpreter();
        for (var k = 0; k < 4; k++)
        {
            object[] inputs = [Random(rng, (TensorType)program.Inputs[0].Type, 1f)];
            var expected = interpreter.Run(program, inputs, weights);
            Assert.Null(Agreement.Compare(expected, compiled.Run(inputs), compiled.Partition));
        }
    }


    private static Tensor Random(Random rng, TensorType type, float scale)
    {
        var values = new float[type.ElementCount];
        for (var i = 0; i < values.Length; i++) values[i] = scale * (2f * rng.NextSingle() - 1f);
        return Tensor.FromArray(values, [.. type.Shape]);
    }
}

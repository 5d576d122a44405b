using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Compiled feed-forward layers whose gelu the GEMM applies to each block it finishes
/// agree with the interpreter: a weight packed once, a weight computed per call (gelu after the
/// product), a layer small enough for the inline product, and a gelu whose input is read again
/// (not fused), on each instruction-set path.</summary>
public class LinearEpilogueTests
{
    private const string FeedForward = """
        program @ff(%x: tensor<f32, [1, 40, 32]>, %v: tensor<f32, [24, 32]>, %y: tensor<f32, [3, 5]>) -> (tensor<f32, [1, 40, 32]>, tensor<f32, [1, 40, 24]>, tensor<f32, [3, 8]>) {
          weight @w1 : tensor<f32, [96, 32]>
          weight @b1 : tensor<f32, [96]>
          weight @w2 : tensor<f32, [32, 96]>
          weight @b2 : tensor<f32, [32]>
          weight @b3 : tensor<f32, [24]>
          weight @w4 : tensor<f32, [8, 5]>
          weight @b4 : tensor<f32, [8]>
        ^entry(%x: tensor<f32, [1, 40, 32]>, %v: tensor<f32, [24, 32]>, %y: tensor<f32, [3, 5]>):
          %h = linear(%x, @w1, @b1)
          %g = gelu(%h)
          %o = linear(%g, @w2, @b2)
          %r = add(%o, %x)
          %m = linear(%x, %v, @b3)
          %mg = gelu(%m)
          %t = linear(%y, @w4, @b4)
          %tg = gelu(%t)
          return %r, %mg, %tg
        }
        """;

    public static TheoryData<SimdPath> Paths() => [SimdPath.Avx512, SimdPath.Avx2, SimdPath.Portable];

    [Theory]
    [MemberData(nameof(Paths))]
    public void FusedGeluLayersAgreeWithTheInterpreter(SimdPath path)
    {
        var program = IRProgram.Parse(FeedForward);
        var rng = new Random(5);
        var weights = program.Weights.ToDictionary(w => w.Name, w => Random(rng, (TensorType)w.Type, 1.5f));
        var compiled = JitCompiler.Compile(program, weights);

        // Every linear → gelu pair is one step; no gelu runs on its own.
        var steps = Plans.Steps(compiled).ToList();
        Assert.Equal(3, steps.OfType<LinearEpilogue>().Count());
        Assert.DoesNotContain(steps, s => s is NodeStep { Node.Op: "gelu" });

        var interpreter = new Interpreter();
        for (var k = 0; k < 3; k++)
        {
            object[] inputs = [.. program.Inputs.Select(p => (object)Random(rng, (TensorType)p.Type, 2f))];
            var expected = interpreter.Run(program, inputs, weights);
            using (KernelIsa.Force(path))
                Assert.Null(Agreement.Compare(expected, compiled.Run(inputs), compiled.Partition));
        }
    }

    [Fact]
    public void AGeluWhoseInputIsReadAgainStaysApartAndAgrees()
    {
        var program = IRProgram.Parse("""
            program @p(%x: tensor<f32, [64, 48]>) -> (tensor<f32, [64, 80]>) {
              weight @w : tensor<f32, [80, 48]>
              weight @b : tensor<f32, [80]>
            ^entry(%x: tensor<f32, [64, 48]>):
              %h = linear(%x, @w, @b)
              %g = gelu(%h)
              %y = mul(%g, %h)
              return %y
            }
            """);
        var rng = new Random(6);
        var weights = program.Weights.ToDictionary(w => w.Name, w => Random(rng, (TensorType)w.Type, 1f));
        var compiled = JitCompiler.Compile(program, weights);
        Assert.Empty(Plans.Steps(compiled).OfType<LinearEpilogue>());
        object[] inputs = [Random(rng, (TensorType)program.Inputs[0].Type, 1f)];
        Assert.Null(Agreement.Compare(new Interpreter().Run(program, inputs, weights), compiled.Run(inputs), compiled.Partition));
    }

    private static Tensor Random(Random rng, TensorType type, float scale)
    {
        var values = new float[type.ElementCount];
        for (var i = 0; i < values.Length; i++) values[i] = scale * (2f * rng.NextSingle() - 1f);
        return Tensor.FromArray(values, [.. type.Shape]);
    }
}

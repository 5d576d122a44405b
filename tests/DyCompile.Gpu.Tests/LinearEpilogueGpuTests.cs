using DyCompile.Compiler.Tests.Jit;
using DyCompile.IR;

namespace DyCompile.Gpu.Tests;

/// <summary>A linear layer fused with the gelu after it (one CPU step) runs on the device as the
/// linear then the gelu, and agrees with the interpreter.</summary>
public class LinearEpilogueGpuTests
{
    [Fact]
    public void ALinearAndItsGeluAgreeWithTheInterpreter()
    {
        var program = IRProgram.Parse("""
            program @ff(%x: tensor<f32, [6, 16]>) -> (tensor<f32, [6, 24]>) {
              weight @w : tensor<f32, [24, 16]>
              weight @b : tensor<f32, [24]>
            ^entry(%x: tensor<f32, [6, 16]>):
              %h = linear(%x, @w, @b)
              %g = gelu(%h)
              return %g
            }
            """);
        var weights = RandomData.Weights(program, 3);
        Assert.Empty(GpuCompile.MissingOps(program));
        using var compiled = GpuCompile.Compile(program, weights);
        var inputs = RandomData.Inputs(program, new Random(1), scale: 2f);
        Assert.Null(Agreement.Compare(new Interpreter().Run(program, inputs, weights), compiled.Run(inputs), compiled.Partition));
    }
}

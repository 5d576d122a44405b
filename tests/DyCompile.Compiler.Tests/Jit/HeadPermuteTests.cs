using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Compiled permutes that move the last dim to the second last place and another dim to
/// the last (attention's kᵀ of a [batch, tokens, heads, dim] tensor) run as strided matrix
/// transposes; they agree with the interpreter on shapes with and without whole 8 × 8 tiles.</summary>
public class HeadPermuteTests
{
    [Theory]
    [InlineData("1, 128, 4, 64", "0, 2, 3, 1", "1, 4, 64, 128")]
    [InlineData("2, 13, 3, 10", "0, 2, 3, 1", "2, 3, 10, 13")]
    [InlineData("2, 9, 4, 17", "2, 0, 3, 1", "4, 2, 17, 9")]
    [InlineData("5, 16, 8", "1, 2, 0", "16, 8, 5")]
    [InlineData("3, 24, 16", "2, 1, 0", "16, 24, 3")]
    public void AStridedTransposeAgreesWithTheInterpreter(string shape, string order, string result)
    {
        var program = IRProgram.Parse($$"""
            program @p(%x: tensor<f32, [{{shape}}]>) -> (tensor<f32, [{{result}}]>) {
            ^entry(%x: tensor<f32, [{{shape}}]>):
              %e = exp(%x)
              %t = permute(%e) {dims = [{{order}}]}
              %r = neg(%t)
              return %r
            }
            """);
        var compiled = JitCompiler.Compile(program, new Dictionary<string, Tensor>());
        var type = (TensorType)program.Inputs[0].Type;
        var rng = new Random(4);
        var values = new float[type.ElementCount];
        for (var i = 0; i < values.Length; i++) values[i] = rng.NextSingle() * 2 - 1;
        object[] inputs = [Tensor.FromArray(values, [.. type.Shape])];
        Assert.Null(Agreement.Compare(new Interpreter().Run(program, inputs, new Dictionary<string, Tensor>()), compiled.Run(inputs), compiled.Partition));
    }
}

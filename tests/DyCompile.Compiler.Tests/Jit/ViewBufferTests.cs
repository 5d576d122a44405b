using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Reshapes of values in planned buffers share those buffers (no copy), and a buffer a
/// view shares is not handed to another value while the view is still to be read.</summary>
public class ViewBufferTests
{
    // %v views %m's buffer; %q, of %m's type, is made while %v is still to be read: if the buffer
    // were freed after %m's last direct read, %q would overwrite the elements %v reads.
    private const string Source = """
        program @views(%x: tensor<f32, [4, 8]>) -> (tensor<f32, [32]>, tensor<f32, [4, 8]>) {
          weight @w : tensor<f32, [8, 8]>
        ^entry(%x: tensor<f32, [4, 8]>):
          %m = matmul(%x, @w)
          %v = reshape(%m) {shape = [32]}
          %s = softmax(%x) {dim = -1}
          %q = matmul(%s, @w)
          %f = reshape(%q) {shape = [32]}
          %z = mul(%v, %f)
          return %z, %s
        }
        """;

    [Fact]
    public void AReshapeSharesItsOperandsBufferWhileItLives()
    {
        var program = IRProgram.Parse(Source);
        var random = new Random(3);
        var weights = new Dictionary<string, Tensor> { ["w"] = RandomData.Tensor(random, IRType.F32(8, 8)) };
        var compiled = JitCompiler.Compile(program, weights);
        var segment = compiled.Planned.Segments.Single();
        var memory = segment.Memory!;
        var reshapes = segment.Steps!.OfType<NodeStep>().Where(s => s.Node.Op == "reshape").Select(s => s.Node).ToList();
        var products = segment.Steps!.OfType<NodeStep>().Where(s => s.Node.Op == "matmul").Select(s => s.Node.Result).ToList();
        Assert.Equal(2, reshapes.Count);
        // Each reshape names its operand's buffer; nothing copies its elements.
        Assert.All(reshapes, r => Assert.Contains(r.Result, memory.Views));
        Assert.All(reshapes, r => Assert.Equal(memory.BufferOf[r.Operands[0]], memory.BufferOf[r.Result]));
        // The second product does not take the first one's buffer: the first reshape still reads it.
        Assert.NotEqual(memory.BufferOf[products[0]], memory.BufferOf[products[1]]);
        for (var i = 0; i < 3; i++)
        {
            var x = RandomData.Tensor(random, IRType.F32(4, 8));
            var expected = new Interpreter().Run(program, [x], weights);
            var actual = compiled.Run([x]);
            Assert.Null(Agreement.Compare(expected, actual, compiled.Partition));
        }
    }
}

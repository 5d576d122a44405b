using DyCompile.IR;
using DyCompile.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Backends.Tests;

/// <summary><c>narrow</c> with a run-time start exports as ONNX Slice behind a bounds check: every
/// start the kernel accepts (negative ones count from the end) gives the interpreter's result, and
/// every start it refuses makes ONNX Runtime fail instead of clamping.</summary>
public class NarrowExportTests
{
    private static string OneNarrow(string shape) => $$"""
        program @rows(%x: tensor<f32, {{shape}}>, %t: int) -> (tensor<f32, [2, 2, 3]>) {
        ^entry(%x: tensor<f32, {{shape}}>, %t: int):
          %r = narrow(%x, %t) {dim = -2, length = 2} : tensor<f32, [2, 2, 3]>
          return %r
        }
        """;

    // Sums the rows of %x one at a time: the start is the counter of an ONNX Loop.
    private const string RowSum = """
        program @rowsum(%x: tensor<f32, [4, 3]>, %n: int) -> (tensor<f32, [1, 3]>) {
        ^entry(%x: tensor<f32, [4, 3]>, %n: int):
          %zero = const 0 : int
          %acc = const [0, 0, 0] : tensor<f32, [1, 3]>
          jump ^head(%x, %acc, %zero, %n)
        ^head(%x1: tensor<f32, [4, 3]>, %a: tensor<f32, [1, 3]>, %t: int, %n1: int):
          %more = host.lt(%t, %n1)
          branch %more, ^body(%x1, %a, %t, %n1), ^done(%a)
        ^body(%x2: tensor<f32, [4, 3]>, %a2: tensor<f32, [1, 3]>, %t2: int, %n2: int):
          %row = narrow(%x2, %t2) {dim = 0, length = 1} : tensor<f32, [1, 3]>
          %half = const [0.5] : tensor<f32, []>
          %scaled = mul(%a2, %half) : tensor<f32, [1, 3]>
          %a3 = add(%scaled, %row) : tensor<f32, [1, 3]>
          %one = const 1 : int
          %t3 = host.add(%t2, %one)
          jump ^head(%x2, %a3, %t3, %n2)
        ^done(%r: tensor<f32, [1, 3]>):
          return %r
        }
        """;

    private static readonly Dictionary<string, Tensor> NoWeights = [];

    private static Tensor Random(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        return Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(), shape);
    }

    [Theory]
    [InlineData("[2, 5, 3]")]
    [InlineData("[2, ?, 3]")]
    public void EveryValidStartAgreesAndEveryOtherFailsInOnnxRuntime(string shape)
    {
        var program = IRProgram.Parse(OneNarrow(shape));
        var x = Random(1, 2, 5, 3);
        // Two of five rows: starts 0 … 3, or −5 … −2 counted from the end.
        foreach (var t in new[] { 0, 1, 2, 3, -5, -4, -3, -2 })
            Agreement.Check(program, NoWeights, [x, t], tolerance: 0f);
        foreach (var t in new[] { 4, 5, 40, -1, -6, -100 })
        {
            Assert.Throws<TensorOpException>(() => x.Narrow(1, t, 2));
            var failure = Assert.Throws<OnnxRuntimeException>(() => OrtRunner.Run(program, NoWeights, [x, t]));
            Assert.Contains("Gather", failure.Message);
        }
    }

    [Fact]
    public void ALoopCounterAsTheStartExportsAsOneLoop()
    {
        var program = IRProgram.Parse(RowSum);
        var x = Random(2, 4, 3);
        foreach (var n in new[] { 0, 1, 4 })
            Agreement.Check(program, NoWeights, [x, n]);
        // A fifth row does not exist: the interpreter throws what Narrow throws, ONNX Runtime fails.
        var eager = Assert.Throws<InterpreterException>(() => new Interpreter().Run(program, [x, 5]));
        Assert.Equal("narrow: narrow of start 4 and length 1 does not fit dimension 0 of size 4", eager.InnerException!.Message);
        Assert.Throws<OnnxRuntimeException>(() => OrtRunner.Run(program, NoWeights, [x, 5]));
    }
}

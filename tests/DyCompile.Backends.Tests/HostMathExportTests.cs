using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Backends.Tests;

/// <summary>The host math ops (<c>host.abs</c>, <c>sqrt</c>, <c>exp</c>, <c>log</c>, <c>round</c>,
/// <c>floor</c>, <c>ceil</c>, <c>pow</c>, <c>isnan</c>, <c>isinf</c>) export to the ONNX op of the same
/// meaning: ONNX Runtime agrees with the interpreter, ties of round to even, NaN and infinity included.</summary>
public class HostMathExportTests
{
    private const string Program = """
        program @hostmath(%x: tensor<f32, [3]>, %a: float, %n: int) -> (float, float, float, float, float, float, float, float, int, bool, bool, tensor<f32, [3]>) {
        ^entry(%x: tensor<f32, [3]>, %a: float, %n: int):
          %abs = host.abs(%a)
          %sqrt = host.sqrt(%a)
          %exp = host.exp(%a)
          %log = host.log(%a)
          %round = host.round(%a)
          %floor = host.floor(%a)
          %ceil = host.ceil(%a)
          %half = const 0.5 : float
          %pow = host.pow(%abs, %half)
          %iabs = host.abs(%n)
          %nan = host.isnan(%log)
          %inf = host.isinf(%exp)
          %k = tensor.from_scalar(%sqrt)
          %y = mul(%x, %k)
          return %abs, %sqrt, %exp, %log, %round, %floor, %ceil, %pow, %iabs, %nan, %inf, %y
        }
        """;

    [Theory]
    [InlineData(2.5f, -3)]
    [InlineData(-1.5f, 4)]
    [InlineData(0.49f, 0)]
    [InlineData(3.5f, -7)]
    [InlineData(100f, 2)]
    [InlineData(0f, 1)]
    public void HostMathAgreesWithOnnxRuntime(float a, int n)
    {
        var program = IRProgram.Parse(Program);
        Assert.Empty(Verifier.Errors(program));
        Agreement.Check(program, new Dictionary<string, Tensor>(), [Tensor.FromArray([1f, -2f, 0.5f], 3), a, n], tolerance: 1e-6f);
    }
}

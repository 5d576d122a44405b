using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>What the JIT refuses, and how it says so.</summary>
public class JitDiagnosticsTests
{
    private const string Tiny = """
        program @tiny(%x: tensor<f32, [2]>) -> (tensor<f32, [2]>) {
        ^entry(%x: tensor<f32, [2]>):
          %y = relu(%x)
          return %y
        }
        """;

    [Fact]
    public void AnUnsupportedTargetNamesTheSupportedOnes()
    {
        var e = Assert.Throws<CompilationException>(() => JitCompiler.Compile(Program.Parse(Tiny), options: new CompileOptions { Target = "tpu" }));
        Assert.Contains("unsupported target 'tpu'", e.Message);
        Assert.Contains("supported targets: \"cpu\"", e.Message);
    }

    [Fact]
    public void AProgramThatFailsVerificationIsRejectedWithTheVerifierFindings()
    {
        // %y crosses into ^next without being passed as a block argument.
        var bad = Program.Parse(Tiny.Replace("  return %y", "  jump ^next\n^next:\n  return %y"));
        var e = Assert.Throws<CompilationException>(() => JitCompiler.Compile(bad));
        Assert.Contains("program @tiny fails verification", e.Message);
        Assert.Contains("%y", e.Message);
    }

    [Fact]
    public void AMissingOrMisshapenWeightIsRejected()
    {
        var program = Program.Parse(SamplePrograms.RepeatedLayer);
        var missing = Assert.Throws<CompilationException>(() => JitCompiler.Compile(program, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(6, 6) }));
        Assert.Contains("weight @b", missing.Message);
        var wrong = Assert.Throws<CompilationException>(() => JitCompiler.Compile(program, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(6, 5), ["b"] = Tensor.Zeros(6) }));
        Assert.Contains("weight @w must be tensor<f32, [6, 6]>", wrong.Message);
    }
}

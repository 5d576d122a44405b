using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>What the JIT refuses, and how it says so.</summary>
public class JitDiagnosticsTests
{
    // The input is named like a C# keyword: generated code must still build.
    private const string Tiny = """
        program @tiny(%in: tensor<f32, [2]>) -> (tensor<f32, [2]>) {
        ^entry(%in: tensor<f32, [2]>):
          %y = relu(%in)
          return %y
        }
        """;

    [Fact]
    public void AnUnsupportedTargetNamesTheSupportedOnes()
    {
        var e = Assert.Throws<CompilationException>(() => JitCompiler.Compile(IRProgram.Parse(Tiny), options: new CompileOptions { Target = "tpu" }));
        Assert.Contains("unsupported target 'tpu'", e.Message);
        Assert.Contains("supported targets: \"cpu\"", e.Message);
    }

    [Fact]
    public void AProgramThatFailsVerificationIsRejectedWithTheVerifierFindings()
    {
        // %y crosses into ^next without being passed as a block argument.
        var bad = IRProgram.Parse(Tiny.Replace("  return %y", "  jump ^next\n^next:\n  return %y"));
        var e = Assert.Throws<CompilationException>(() => JitCompiler.Compile(bad));
        Assert.Contains("program @tiny fails verification", e.Message);
        Assert.Contains("%y", e.Message);
    }

    [Fact]
    public void AMissingOrMisshapenWeightIsRejected()
    {
        var program = IRProgram.Parse(SamplePrograms.RepeatedLayer);
        var missing = Assert.Throws<CompilationException>(() => JitCompiler.Compile(program, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(6, 6) }));
        Assert.Contains("weight @b", missing.Message);
        var wrong = Assert.Throws<CompilationException>(() => JitCompiler.Compile(program, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(6, 5), ["b"] = Tensor.Zeros(6) }));
        Assert.Contains("weight @w must be tensor<f32, [6, 6]>", wrong.Message);
    }

    /// <summary>One numbered file per pass, in the pipeline's order, each holding that pass's
    /// dump; the generated C# is the last, and the host control flow is drawn beside them.</summary>
    [Fact]
    public void DumpDirectoryReceivesOneNumberedDumpPerPass()
    {
        var directory = Path.Combine(Path.GetTempPath(), "dycompile-dump-" + Guid.NewGuid().ToString("N"));
        try
        {
            var compiled = JitCompiler.Compile(IRProgram.Parse(Tiny), options: new CompileOptions { DumpDirectory = directory });
            string[] passes = ["input", "verify", "fold-constants", "simplify-control-flow", "partition", "optimize-segments", "share-segments",
                "prepare-weights", "fuse", "plan-memory", "emit-csharp"];
            Assert.Equal(passes, compiled.PassDumps.Select(d => d.Pass));
            var files = Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            var numbered = passes.Select((p, i) => $"tiny.{i:00}.{p}.{(p == "emit-csharp" ? "cs" : "txt")}").ToList();
            Assert.Equal([.. numbered, "tiny.partition.dot"], files);
            for (var i = 0; i < passes.Length; i++)
                Assert.Equal(compiled.PassDumps[i].Text, File.ReadAllText(Path.Combine(directory, numbered[i])));
            Assert.Equal(compiled.Generated.Source, File.ReadAllText(Path.Combine(directory, numbered[^1])));
            Assert.StartsWith("digraph \"tiny\"", File.ReadAllText(Path.Combine(directory, "tiny.partition.dot")));
            var y = (Tensor)compiled.Run([Tensor.FromArray([-1f, 2f], 2)]).Outputs[0];
            Assert.Equal([0f, 2f], y.Floats.ToArray());
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}

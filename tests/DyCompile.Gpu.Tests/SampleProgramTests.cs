using DyCompile.Backends.Gpu;
using DyCompile.Compiler.Tests.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests;

/// <summary>Dynamic sample programs compiled for ILGPU's CPU accelerator agree with the reference
/// interpreter: the host blocks entered and every output. The shared samples that need op kernels
/// this build lacks are left to the op-kernel tests (and listed).</summary>
public class SampleProgramTests
{
    public static TheoryData<string> Samples => new(
        nameof(GpuSamplePrograms.GrowUntil), nameof(GpuSamplePrograms.MaskedBranch), nameof(GpuSamplePrograms.DynamicLoop),
        nameof(SamplePrograms.Irreducible), nameof(SamplePrograms.EarlyExit), nameof(SamplePrograms.LoopWithBreak),
        nameof(SamplePrograms.NestedBranches), nameof(SamplePrograms.RepeatedLayer), nameof(SamplePrograms.CheapBranch),
        nameof(SamplePrograms.StaticMlp), nameof(SamplePrograms.DynamicBatch));

    private static string Text(string name) =>
        (string?)typeof(GpuSamplePrograms).GetField(name)?.GetValue(null) ?? (string)typeof(SamplePrograms).GetField(name)!.GetValue(null)!;

    [Theory]
    [MemberData(nameof(Samples))]
    public void CompiledForTheDeviceAgreesWithTheInterpreter(string name)
    {
        var program = IRProgram.Parse(Text(name));
        var missing = GpuCompile.MissingOps(program);
        var weights = RandomData.Weights(program, 7);
        if (missing.Count > 0)
        {
            // Needs op kernels this build does not have: compiling must say which, at compile time.
            var e = Assert.Throws<GpuUnsupportedOpException>(() => GpuCompile.Compile(program, weights));
            Assert.Contains(e.Op, missing);
            return;
        }
        using var compiled = GpuCompile.Compile(program, weights);
        var interpreter = new Interpreter();
        var paths = new HashSet<string>();
        for (var seed = 0; seed < 12; seed++)
        {
            var inputs = RandomData.Inputs(program, new Random(seed), scale: 2f);
            var expected = interpreter.Run(program, inputs, weights);
            var actual = compiled.Run(inputs);
            var problem = Agreement.Compare(expected, actual, compiled.Partition);
            Assert.True(problem is null, $"@{program.Name} seed {seed}: {problem}");
            paths.Add(string.Join(" ", actual.Path));
        }
        if (compiled.Partition.Host.Count > 1) Assert.True(paths.Count > 1, $"@{program.Name} took one path on every input");
    }

    [Fact]
    public void TheElementwiseSamplesNeedNoOpKernel()
    {
        foreach (var name in new[] { nameof(GpuSamplePrograms.GrowUntil), nameof(GpuSamplePrograms.MaskedBranch), nameof(GpuSamplePrograms.DynamicLoop), nameof(SamplePrograms.Irreducible), nameof(GpuSamplePrograms.RowCount) })
            Assert.Empty(GpuCompile.MissingOps(IRProgram.Parse(Text(name))));
    }

    [Fact]
    public void ALoopBoundedByARunTimeSizeAgreesOnEveryLength()
    {
        var program = IRProgram.Parse(GpuSamplePrograms.RowCount);
        using var compiled = GpuCompile.Compile(program, null);
        var interpreter = new Interpreter();
        foreach (var rows in new[] { 0, 1, 3, 5 })
        {
            var inputs = new object[] { Tensor.FromArray(Enumerable.Range(0, rows * 4).Select(i => (i % 7 - 3) * 0.1f).ToArray(), rows, 4) };
            var expected = interpreter.Run(program, inputs);
            var actual = compiled.Run(inputs);
            var problem = Agreement.Compare(expected, actual, compiled.Partition);
            Assert.True(problem is null, $"{rows} rows: {problem}");
            Assert.Equal(rows, actual.Outputs[1]);
        }
    }
}

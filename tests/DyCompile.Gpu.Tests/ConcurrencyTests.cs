using DyCompile.Compiler.Tests.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests;

/// <summary>A compiled GPU program called from several threads at once gives every caller its own
/// results, and follows a weight changed in place once it is marked modified.</summary>
public class ConcurrencyTests
{
    [Fact]
    public void ConcurrentCallsAgreeWithTheInterpreter()
    {
        var program = IRProgram.Parse(GpuSamplePrograms.GrowUntil);
        var weights = new Dictionary<string, Tensor> { ["rate"] = Tensor.FromArray([0.5f], 1) };
        using var compiled = GpuCompile.Compile(program, weights);
        var problems = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            object[] inputs = [Tensor.FromArray([0.05f * (i + 1)], 1), 1f + i % 5];
            var problem = Agreement.Compare(new Interpreter().Run(program, inputs, weights), compiled.Run(inputs), compiled.Partition);
            if (problem is not null) problems.Add($"call {i}: {problem}");
        });
        Assert.Empty(problems);
    }

    [Fact]
    public void AWeightMarkedModifiedIsUploadedAgain()
    {
        var program = IRProgram.Parse(GpuSamplePrograms.GrowUntil);
        var rate = Tensor.FromArray([0.5f], 1);
        var weights = new Dictionary<string, Tensor> { ["rate"] = rate };
        using var compiled = GpuCompile.Compile(program, weights);
        object[] inputs = [Tensor.FromArray([0.3f], 1), 4f];
        var before = (Tensor)compiled.Run(inputs).Outputs[0];
        rate.Floats[0] = 2f;
        rate.MarkModified();
        var after = compiled.Run(inputs);
        Assert.NotEqual(before.Floats[0], ((Tensor)after.Outputs[0]).Floats[0]);
        Assert.Null(Agreement.Compare(new Interpreter().Run(program, inputs, weights), after, compiled.Partition));
    }
}

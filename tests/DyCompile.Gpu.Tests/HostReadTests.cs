using DyCompile.Backends.Gpu;
using DyCompile.Compiler.Tests.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests;

/// <summary>What crosses between host and device in a call: the inputs once, the results once,
/// and one scalar per <c>item</c> a branch or loop condition needs; nothing per op, nothing per
/// segment, and the weights only on the first call.</summary>
public class HostReadTests
{
    [Fact]
    public void ACallReadsBackOnlyTheLoopConditionScalars()
    {
        var program = IRProgram.Parse(GpuSamplePrograms.GrowUntil);
        var weights = new Dictionary<string, Tensor> { ["rate"] = Tensor.FromArray([0.5f], 1) };
        using var compiled = GpuCompile.Compile(program, weights);
        compiled.Run([Tensor.FromArray([0.1f], 1), 2f]);

        var (uploads, reads, downloads) = (GpuTransfers.Uploads, GpuTransfers.ScalarReads, GpuTransfers.Downloads);
        var inputs = new object[] { Tensor.FromArray([0.2f], 1), 5f };
        var run = compiled.Run(inputs);
        var expected = new Interpreter().Run(program, inputs, weights);
        Assert.Null(Agreement.Compare(expected, run, compiled.Partition));

        var heads = run.Path.Count(b => b == "head");
        Assert.True(heads > 2, "the loop ran too few times to tell reads per iteration from reads per call");
        Assert.Equal(heads, GpuTransfers.ScalarReads - reads);  // one item per loop test
        Assert.Equal(1, GpuTransfers.Uploads - uploads);         // the input tensor (the weight was uploaded by the first call)
        Assert.Equal(1, GpuTransfers.Downloads - downloads);     // the result tensor
    }

    [Fact]
    public void AStraightLineCallReadsNothingBack()
    {
        var program = IRProgram.Parse(GpuSamplePrograms.DynamicLoop);
        using var compiled = GpuCompile.Compile(program, null);
        var inputs = RandomData.Inputs(program, new Random(3));
        inputs[2] = 4;
        var reads = GpuTransfers.ScalarReads;
        var run = compiled.Run(inputs);
        Assert.Equal(reads, GpuTransfers.ScalarReads);
        Assert.Null(Agreement.Compare(new Interpreter().Run(program, inputs), run, compiled.Partition));
    }
}

/// <summary>Device memory is planned, not allocated per op or per call: after the first call a
/// static program allocates nothing, and a program with a `?` dim only grows its buffers for a
/// larger shape than it has seen.</summary>
public class DeviceAllocationTests
{
    [Fact]
    public void ASteadyStateCallAllocatesNoDeviceMemory()
    {
        var program = IRProgram.Parse(GpuSamplePrograms.MaskedBranch);
        var weights = RandomData.Weights(program, 1);
        using var compiled = GpuCompile.Compile(program, weights);
        compiled.Run(RandomData.Inputs(program, new Random(1)));
        var allocations = GpuTransfers.Allocations;
        for (var seed = 2; seed < 8; seed++) compiled.Run(RandomData.Inputs(program, new Random(seed), scale: 2f));
        Assert.Equal(allocations, GpuTransfers.Allocations);
    }

    [Fact]
    public void DynamicShapesGrowTheirBuffersOnlyForALargerShape()
    {
        var program = IRProgram.Parse(GpuSamplePrograms.DynamicLoop);
        using var compiled = GpuCompile.Compile(program, null);
        object[] Inputs(int rows) => [Tensor.Full(0.5f, rows, 3), Tensor.Full(0.25f, 1, 3), 3];
        compiled.Run(Inputs(8));
        var allocations = GpuTransfers.Allocations;
        compiled.Run(Inputs(8));
        compiled.Run(Inputs(2));
        Assert.Equal(allocations, GpuTransfers.Allocations);
        var run = compiled.Run(Inputs(64));
        Assert.True(GpuTransfers.Allocations > allocations, "a larger batch fit the buffers of a smaller one");
        Assert.Null(Agreement.Compare(new Interpreter().Run(program, Inputs(64)), run, compiled.Partition));
    }
}

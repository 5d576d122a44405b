using DyCompile.Backends.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Gpu.Tests.Kernels;

/// <summary>Both group reductions (warp shuffles; the shared-memory tree the OpenCL form uses)
/// give every thread the sum, max and min of the group's values, for group sizes that are and are
/// not powers of two.</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class GroupReductionTests(CpuAcceleratorFixture gpu)
{
    private static void Reduce<TGroup>(ArrayView<float> values, ArrayView<float> results, int op)
        where TGroup : struct, IGroupReduction
    {
        var i = Grid.GlobalIndex.X;
        results[i] = default(TGroup).All(values[i], op);
    }

    [Theory]
    [InlineData(32, false)]
    [InlineData(96, false)]
    [InlineData(256, false)]
    [InlineData(32, true)]
    [InlineData(96, true)]
    [InlineData(200, true)]
    public void EveryThreadGetsTheGroupsReduction(int groupSize, bool sharedMemory)
    {
        var kernel = sharedMemory
            ? gpu.Accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(Reduce<SharedMemoryReduction>)
            : gpu.Accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(Reduce<ShuffleReduction>);
        var rng = new Random(groupSize);
        const int groups = 3;
        var values = Enumerable.Range(0, groups * groupSize).Select(_ => (float)rng.Next(-1000, 1000)).ToArray();
        using var input = gpu.Accelerator.Allocate1D(values);
        using var output = gpu.Accelerator.Allocate1D<float>(values.Length);
        foreach (var op in new[] { GroupReduce.Sum, GroupReduce.Max, GroupReduce.Min })
        {
            kernel(new KernelConfig(groups, groupSize), input.View, output.View, op);
            gpu.Accelerator.Synchronize();
            var results = output.GetAsArray1D();
            for (var g = 0; g < groups; g++)
            {
                var group = values.Skip(g * groupSize).Take(groupSize);
                var expected = op == GroupReduce.Sum ? group.Sum() : op == GroupReduce.Max ? group.Max() : group.Min();
                for (var t = 0; t < groupSize; t++)
                    Assert.Equal(expected, results[g * groupSize + t]);
            }
        }
    }
}

using DyCompile.Tests.Shared;

namespace DyCompile.Runtime.Tests;

/// <summary>Loading grows linearly with the number of tensors in a file. The time for 8N tensors
/// is compared with the time for N (see <see cref="GrowthRatio"/>): linear work gives a ratio near
/// 8, work quadratic in the number of tensors near 64, so the loose bound of 24 separates them
/// without asserting any absolute time. The class runs alone so that other tests do not share
/// its cores while it measures.</summary>
[Collection(nameof(SafeTensorsScalingTests))]
public class SafeTensorsScalingTests
{
    private static byte[] ManyTensors(int count) =>
        SafeTensors.SaveToBytes(Enumerable.Range(0, count).ToDictionary(i => $"layers.{i}.weight", i => Tensor.FromArray(new[] { (float)i, -i }, 2)));

    [Fact]
    public void LoadTimeGrowsLinearlyWithTensors()
    {
        const int n = 5_000;
        byte[] small = ManyTensors(n), large = ManyTensors(8 * n);
        Assert.Equal(8 * n, SafeTensors.Load(large).Count);
        var ratio = GrowthRatio.Of(() => SafeTensors.Load(small), () => SafeTensors.Load(large));
        Assert.True(ratio < 24, $"loading {8 * n} tensors took {ratio:F1}x the processor time of {n}; linear work gives about 8");
    }
}

[CollectionDefinition(nameof(SafeTensorsScalingTests), DisableParallelization = true)]
public sealed class SafeTensorsScalingCollection;

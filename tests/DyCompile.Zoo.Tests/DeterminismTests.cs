using DyCompile.Runtime;

namespace DyCompile.Zoo.Tests;

public class DeterminismTests
{
    [Theory]
    [MemberData(nameof(TestModels.Names), MemberType = typeof(TestModels))]
    public void SameSeedGivesSameWeightsAndOutputs(string name)
    {
        var a = TestModels.Factories[name](3);
        var b = TestModels.Factories[name](3);
        var stateA = a.SaveStateDict();
        var stateB = b.SaveStateDict();
        Assert.Equal(stateA.Keys, stateB.Keys);
        foreach (var (key, value) in stateA)
            Assert.True(ZooAssert.BitwiseEqual(value, stateB[key]), $"{name}: '{key}' differs between two models of seed 3");

        var input = a.SampleInput(new Random(5));
        var runA = a.Run(input);
        var runB = b.Run(input);
        Assert.Equal(runA.Path, runB.Path);
        Assert.True(ZooAssert.BitwiseEqual(runA.Output, runB.Output));
    }

    [Theory]
    [MemberData(nameof(TestModels.Names), MemberType = typeof(TestModels))]
    public void DifferentSeedsGiveDifferentWeights(string name)
    {
        var a = TestModels.Factories[name](3).SaveStateDict();
        var b = TestModels.Factories[name](4).SaveStateDict();
        Assert.Contains(a.Keys, key => !ZooAssert.BitwiseEqual(a[key], b[key]));
    }

    [Theory]
    [MemberData(nameof(TestModels.Names), MemberType = typeof(TestModels))]
    public void RunsDoNotChangeTheModel(string name)
    {
        var model = TestModels.Factories[name](3);
        var before = model.SaveStateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var random = new Random(9);
        for (var i = 0; i < 3; i++) model.Run(model.SampleInput(random));
        foreach (var (key, value) in model.SaveStateDict())
            Assert.True(ZooAssert.BitwiseEqual(before[key], value), $"{name}: running changed '{key}'");
    }
}

internal static class ZooAssert
{
    public static bool BitwiseEqual(Tensor a, Tensor b) =>
        a.DType == b.DType && a.Shape.SequenceEqual(b.Shape) && a.AsBytes().SequenceEqual(b.AsBytes());
}

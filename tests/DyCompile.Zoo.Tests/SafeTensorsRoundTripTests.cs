using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using DyCompile.Zoo.EarlyExit;

namespace DyCompile.Zoo.Tests;

public class SafeTensorsRoundTripTests
{
    [Theory]
    [MemberData(nameof(TestModels.Names), MemberType = typeof(TestModels))]
    public void ReloadedWeightsReproduceEveryOutput(string name)
    {
        var original = TestModels.Factories[name](11);
        var path = Path.Combine(Path.GetTempPath(), $"zoo-{name}-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensors.Save(path, original.SaveStateDict());
            var reloaded = TestModels.Factories[name](12); // other weights until the load
            reloaded.LoadStateDict(SafeTensors.Load(path));

            var random = new Random(13);
            for (var i = 0; i < 4; i++)
            {
                var input = original.SampleInput(random);
                var expected = original.Run(input);
                var actual = reloaded.Run(input);
                Assert.Equal(expected.Path, actual.Path);
                Assert.True(ZooAssert.BitwiseEqual(expected.Output, actual.Output), $"{name}: output {i} differs after reloading");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingWeightIsNamed()
    {
        var model = new ResNet56Sdn(new SdnConfig(WidthDivisor: 4));
        var state = model.SaveStateDict().Where(kv => kv.Key != "blocks.20.conv2.conv.weight").ToDictionary();
        var bytes = SafeTensors.SaveToBytes(state);
        var e = Assert.Throws<StateDictException>(() => model.LoadStateDict(SafeTensors.Load(bytes)));
        Assert.Contains("'blocks.20.conv2.conv.weight'", e.Message);
        Assert.Contains("[16, 16, 3, 3]", e.Message);
    }

    [Fact]
    public void MisShapedWeightNamesItAndBothShapes()
    {
        var model = new ResNet56Sdn(new SdnConfig(WidthDivisor: 4));
        var state = model.SaveStateDict().ToDictionary();
        state["exits.2.linear.weight"] = Tensor.Zeros(10, 7);
        var bytes = SafeTensors.SaveToBytes(state);
        var before = model.SaveStateDict()["exits.2.linear.weight"];
        var e = Assert.Throws<StateDictException>(() => model.LoadStateDict(SafeTensors.Load(bytes)));
        Assert.Contains("'exits.2.linear.weight'", e.Message);
        Assert.Contains("[10, 7]", e.Message);
        Assert.Contains($"[10, {before.Dim(1)}]", e.Message);
        Assert.Same(before, model.SaveStateDict()["exits.2.linear.weight"]);
    }
}

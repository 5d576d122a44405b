using Xunit.Abstractions;

namespace DyCompile.Zoo.Tests;

public class DynamicPathTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(TestModels.Names), MemberType = typeof(TestModels))]
    public void RandomInputsTakeSeveralPaths(string name)
    {
        var model = TestModels.Factories[name](1);
        var random = new Random(42);
        var paths = new List<string>();
        for (var i = 0; i < 12; i++) paths.Add(model.Run(model.SampleInput(random)).Path);
        foreach (var group in paths.GroupBy(p => p)) output.WriteLine($"{group.Count()} × {group.Key}");
        Assert.True(paths.Distinct().Count() >= 2, $"{name} took one path on every input: {paths[0]}");
    }
}

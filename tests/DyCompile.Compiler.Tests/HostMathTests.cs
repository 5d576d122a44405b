namespace DyCompile.Compiler.Tests;

/// <summary><c>Math</c>/<c>MathF</c> functions and <c>float.IsNaN</c> on host floats computed at run
/// time (a tensor's sum read back with <c>Item()</c>, a float parameter) lower to <c>host.*</c> ops
/// and agree eager ≡ interpreter ≡ compiled, NaN and infinity included.</summary>
public class HostMathTests
{
    private const string Source = """
        [DyCompile]
        public sealed class HostMath : Module
        {
            public HostMath(Random g) { }
            public (Tensor, float, int) Forward(Tensor x, float a)
            {
                var s = x.Sum().Item();
                var m = MathF.Abs(s) + Math.Abs(a);
                var r = MathF.Sqrt(m) + MathF.Exp(-m) + MathF.Log(m + 1f) + MathF.Pow(m, 0.5f);
                var k = (int)MathF.Round(r * 2f) + (int)MathF.Floor(a) + (int)MathF.Ceiling(s) + Math.Max(Math.Abs((int)a - 3), 1);
                if (float.IsNaN(MathF.Log(a))) return (x * 2f, r, k);
                if (!float.IsFinite(MathF.Exp(a * 100f))) return (x.Relu(), MathF.Sqrt(a), -k);
                if (float.IsInfinity(1f / (a - 0.25f))) return (x, 0f, 0);
                return (x * r, MathF.Floor(r) - MathF.Ceiling(a), k);
            }
        }

        [DyCompile]
        public sealed class DoubleMath : Module
        {
            public DoubleMath(Random g) { }
            public Tensor Forward(Tensor x)
            {
                var s = x.Sum().Item();
                var steps = (int)Math.Floor(Math.Sqrt(Math.Abs(s)) * 3);
                for (var i = 0; i < steps; i++) x = x.Tanh() + 0.5f;
                return x;
            }
        }
        """;

    private static readonly Lazy<CompiledModels> Models = new(() => ModelHarness.Compile(ModelHarness.Usings + Source));

    [Fact]
    public void HostMathOnRunTimeFloatsAgreesOnEveryPath()
    {
        var models = Models.Value;
        var model = models.Create("HostMath", 1);
        var sets = new List<object[]>();
        foreach (var a in new[] { -0.5f, 0.25f, 0.3f, 2.7f, 3.5f, -3.2f })
            for (var seed = 0; seed < 3; seed++)
                sets.Add([ModelHarness.Random(seed, 2, 3) * (seed + 1), a]);
        var (lowered, paths) = ThreeWay.Check(models, "HostMath", "Forward", model, sets);
        Assert.True(paths >= 4, $"the inputs took {paths} paths");
        Assert.DoesNotContain(lowered.Diagnostics, d => d.Id == DiagnosticIds.UnsupportedType);
    }

    [Fact]
    public void MathOnARunTimeDoubleRunsInFloatAndSaysSo()
    {
        var models = Models.Value;
        var model = models.Create("DoubleMath", 1);
        var (lowered, paths) = ThreeWay.Check(models, "DoubleMath", "Forward", model,
            [[ModelHarness.Random(1, 2, 2)], [ModelHarness.Random(2, 2, 2) * 4f], [ModelHarness.Random(3, 2, 2) * 0.1f]]);
        Assert.True(paths > 1, "the inputs took the same path");
        Assert.Contains(lowered.Warnings, w => w.Id == DiagnosticIds.UnsupportedType && w.Message.Contains("MathF.Sqrt", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("return x * MathF.Round(x.Sum().Item(), 2);", "MathF.Round(")]
    [InlineData("return x * MathF.Sin(x.Sum().Item());", "MathF.Sin(")]
    [InlineData("return x * (float)Math.Log(x.Sum().Item(), 2.0);", "Math.Log(")]
    public void AnUnsupportedMathFunctionNamesWhatIsSupported(string body, string marker)
    {
        var source = ModelHarness.Usings + "[DyCompile] public sealed class M : Module\n{\n    public Tensor Forward(Tensor x)\n    {\n        " + body + "\n    }\n}\n";
        var result = ModelLowering.Lower(source, "M", "Forward", ModelHarness.Compile(source).Create("M", 1),
            new LoweringOptions { InputTypes = [DyCompile.IR.IRType.F32(2)], Strict = true });
        var error = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticIds.UnknownMethod, error.Id);
        Assert.Equal(8, error.Line);
        Assert.Equal(source.Split('\n')[7].IndexOf(marker, StringComparison.Ordinal) + 1, error.Column);
        Assert.Contains("Sqrt", error.Message, StringComparison.Ordinal);
    }
}

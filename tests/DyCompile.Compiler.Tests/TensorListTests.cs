namespace DyCompile.Compiler.Tests;

/// <summary><c>List&lt;Tensor&gt;</c> collecting per-step outputs, then <c>TensorOps.Concat</c> of the
/// list: the list's items are tracked at compile time, so a loop that grows it unrolls (a foreach over
/// a module list, a counted loop with a constant bound) and the outputs agree eager ≡ interpreter ≡
/// compiled; a loop whose trip count is known only at run time says to collect into one tensor.</summary>
public class TensorListTests
{
    private const string Source = """
        using System.Collections.Generic;

        [DyCompile]
        public sealed class PerLayerOutputs : Module
        {
            private readonly ModuleList<Linear> _layers;
            public PerLayerOutputs(Random g)
            {
                _layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 4, generator: g), new Linear(4, 4, generator: g)]));
            }
            public Tensor Forward(Tensor x, float a)
            {
                var outs = new List<Tensor>();
                foreach (var layer in _layers)
                {
                    x = layer.Forward(x).Tanh();
                    if (x.Sum().Item() > a) outs.Add(x);
                }
                outs.Add(x * 2f);
                return TensorOps.Concat([.. outs], 0);
            }
        }

        [DyCompile]
        public sealed class CountedSteps : Module
        {
            public CountedSteps(Random g) { }
            public (Tensor, int, Tensor) Forward(Tensor x, float a)
            {
                List<Tensor> steps = [];
                for (var i = 0; i < 3; i++)
                {
                    if (x.Sum().Item() > a) x = x * 0.5f;
                    else x = x + 1f;
                    steps.Add(x);
                }
                return (TensorOps.Concat(steps.ToArray(), 1), steps.Count, steps[1]);
            }
        }

        [DyCompile]
        public sealed class RunTimeSteps : Module
        {
            public RunTimeSteps(Random g) { }
            public Tensor Forward(Tensor x, int n)
            {
                var steps = new List<Tensor>();
                for (var i = 0; i < n; i++) steps.Add(x * (float)i);
                return TensorOps.Concat([.. steps], 0);
            }
        }
        """;

    private static readonly Lazy<CompiledModels> Models = new(() => ModelHarness.Compile(ModelHarness.Usings + Source));

    [Fact]
    public void AListFilledInAForeachOverModulesConcatenates()
    {
        var models = Models.Value;
        var model = models.Create("PerLayerOutputs", 3);
        var sets = Enumerable.Range(0, 6).Select(s => new object[] { ModelHarness.Random(s, 1, 4) * 2f, s * 0.4f - 1.2f }).ToList();
        var (_, paths) = ThreeWay.Check(models, "PerLayerOutputs", "Forward", model, sets);
        Assert.True(paths > 2, "the inputs took the same paths");
    }

    [Fact]
    public void AListFilledInACountedLoopUnrollsWithCountAndIndexing()
    {
        var models = Models.Value;
        var model = models.Create("CountedSteps", 1);
        var sets = Enumerable.Range(0, 6).Select(s => new object[] { ModelHarness.Random(s, 2, 2), s * 0.5f - 1.5f }).ToList();
        var (_, paths) = ThreeWay.Check(models, "CountedSteps", "Forward", model, sets);
        Assert.True(paths > 1, "the inputs took the same path");
    }

    [Fact]
    public void AListGrownInALoopWithARunTimeTripCountSaysToConcatenate()
    {
        var models = Models.Value;
        var result = ModelLowering.Lower(models.Compilation, "RunTimeSteps", "Forward", models.Create("RunTimeSteps", 1),
            new LoweringOptions { InputTypes = [DyCompile.IR.IRType.F32(1, 4), DyCompile.IR.IRType.Int] });
        var error = Assert.Single(result.Errors);
        Assert.True(error.Message.Contains("TensorOps.Concat([acc, step]", StringComparison.Ordinal), error.ToString());
    }
}

namespace DyCompile.Compiler.Tests;

/// <summary>A <c>ModuleList&lt;ExpertBase&gt;</c> of experts of different classes, each overriding an
/// abstract or virtual <c>Forward</c>: every call runs the override of the element's own class — in a
/// foreach (unrolled), with a constant index, and dispatched on a run-time index — and agrees eager ≡
/// interpreter ≡ compiled.</summary>
public class PolymorphicModuleTests
{
    private const string Source = """
        public abstract class ExpertBase : Module
        {
            public abstract Tensor Forward(Tensor x);
            public virtual float Weight => 1f;
            public virtual Tensor Gate(Tensor x) => x.Sigmoid();
        }

        public sealed class LinearExpert : ExpertBase
        {
            private readonly Linear _fc;
            public LinearExpert(Random g) { _fc = RegisterModule("fc", new Linear(4, 4, generator: g)); }
            public override Tensor Forward(Tensor x) => _fc.Forward(x).Tanh();
        }

        public class ScaleExpert : ExpertBase
        {
            private readonly float _scale;
            public ScaleExpert(float scale) { _scale = scale; }
            public override Tensor Forward(Tensor x) => x * _scale;
            public override Tensor Gate(Tensor x) => x.Relu();
        }

        public sealed class ShiftedScaleExpert : ScaleExpert
        {
            public ShiftedScaleExpert() : base(-0.5f) { }
            public override Tensor Forward(Tensor x) => base.Forward(x) + 1f;
        }

        [DyCompile]
        public sealed class Mixture : Module
        {
            private readonly ModuleList<ExpertBase> _experts;
            public Mixture(Random g)
            {
                _experts = RegisterModule("experts", new ModuleList<ExpertBase>([new LinearExpert(g), new ScaleExpert(2f), new ShiftedScaleExpert()]));
            }
            public Tensor Forward(Tensor x, float a)
            {
                var sum = Tensor.Zeros(1, 4);
                foreach (var expert in _experts) sum = sum + expert.Gate(expert.Forward(x));
                var pick = Math.Min(Math.Max((int)MathF.Floor(a + 1f), 0), 2);
                return sum + _experts[pick].Forward(x) + _experts[1].Gate(x);
            }
        }
        """;

    [Fact]
    public void EachExpertRunsItsOwnOverride()
    {
        var models = ModelHarness.Compile(ModelHarness.Usings + Source);
        var model = models.Create("Mixture", 5);
        var sets = new[] { -1f, 0f, 1f, 0.7f, -0.8f }.Select((a, s) => new object[] { ModelHarness.Random(s, 1, 4), a }).ToList();
        var (lowered, paths) = ThreeWay.Check(models, "Mixture", "Forward", model, sets);
        Assert.True(paths >= 3, $"the inputs took {paths} paths");
        Assert.Contains(lowered.Program!.Blocks, b => b.Name.Contains("dispatch", StringComparison.Ordinal));
    }
}

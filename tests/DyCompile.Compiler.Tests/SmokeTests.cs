namespace DyCompile.Compiler.Tests;

public class SmokeTests
{
    private const string Source = ModelHarness.Usings + """
        [DyCompile]
        public sealed class Mlp : Module
        {
            private readonly Linear _fc1;
            private readonly Linear _fc2;
            private readonly float _threshold = 0.5f;

            public Mlp(Random g)
            {
                _fc1 = RegisterModule("fc1", new Linear(4, 8, generator: g));
                _fc2 = RegisterModule("fc2", new Linear(8, 4, generator: g));
            }

            public Tensor Forward(Tensor x, int steps)
            {
                var h = _fc1.Forward(x).Relu();
                var i = 0;
                while (i < steps)
                {
                    h = h * 0.5f + 1f;
                    if (h.Sum().Item() > _threshold * 100) break;
                    i++;
                }
                return _fc2.Forward(h);
            }
        }
        """;

    [Fact]
    public void Smoke()
    {
        var models = ModelHarness.Compile(Source);
        var model = models.Create("Mlp", 1);
        var (lowered, run) = ModelHarness.Check(models, "Mlp", "Forward", model, ModelHarness.Random(2, 1, 4), 3);
        Assert.Fail(lowered.Program!.ToString() + string.Join(",", run.Path));
    }
}

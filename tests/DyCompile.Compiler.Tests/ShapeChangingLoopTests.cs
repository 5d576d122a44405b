namespace DyCompile.Compiler.Tests;

/// <summary>A tensor carried through an unrolled foreach whose layers change its shape: every use
/// after the loop sees the type of the value that actually reaches it, not the stem's.</summary>
public class ShapeChangingLoopTests
{
    private const string Source = """
        [DyCompile]
        public sealed class Widening : Module
        {
            private readonly ModuleList<Linear> _layers;
            private readonly Linear _head;
            public Widening(Random g)
            {
                _layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(4, 8, generator: g), new Linear(8, 16, generator: g)]));
                _head = RegisterModule("head", new Linear(16, 10, generator: g));
            }
            public Tensor Forward(Tensor x)
            {
                foreach (var layer in _layers)
                    x = layer.Forward(x).Relu();
                return _head.Forward(x);
            }
        }

        [DyCompile]
        public sealed class WideningWithExits : Module
        {
            private readonly int[] _exitAfter = [0, 1];
            public ModuleList<Linear> Blocks { get; }
            public ModuleList<Linear> Exits { get; }
            public Linear Classifier { get; }
            public WideningWithExits(Random g)
            {
                Blocks = RegisterModule("blocks", new ModuleList<Linear>([new Linear(4, 8, generator: g), new Linear(8, 16, generator: g), new Linear(16, 16, generator: g)]));
                Exits = RegisterModule("exits", new ModuleList<Linear>([new Linear(8, 10, generator: g), new Linear(16, 10, generator: g)]));
                Classifier = RegisterModule("classifier", new Linear(16, 10, generator: g));
            }
            public (Tensor Logits, int Exit) Forward(Tensor x, float threshold)
            {
                var exit = 0;
                for (var i = 0; i < Blocks.Count; i++)
                {
                    x = Blocks[i].Forward(x).Relu();
                    if (exit < _exitAfter.Length && _exitAfter[exit] == i)
                    {
                        var logits = Exits[exit].Forward(x);
                        if (logits.Softmax(1).Max().Item() >= threshold) return (logits, exit);
                        exit++;
                    }
                }
                return (Classifier.Forward(x), exit);
            }
        }
        // A module whose indexed loop widens the tensor, inlined into a caller that keeps going
        // after it: the tensor after the inlined loop has the last iteration's type.
        [DyCompile]
        public sealed class InlinedWidening : Module
        {
            public InlinedWidening(Random g) => Policy = RegisterModule("policy", new WideningLayers(g));
            public WideningLayers Policy { get; }
            public (Tensor Input, Tensor Policy) Forward(Tensor x)
            {
                var policy = Policy.Forward(x);
                return (x * 2f, policy);
            }
        }

        public sealed class WideningLayers : Module
        {
            public WideningLayers(Random g)
            {
                Layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(4, 8, generator: g), new Linear(8, 16, generator: g)]));
                Head = RegisterModule("head", new Linear(16, 3, generator: g));
            }
            public ModuleList<Linear> Layers { get; }
            public Linear Head { get; }
            public Tensor Forward(Tensor h)
            {
                for (var i = 0; i < Layers.Count; i++)
                    h = Layers[i].Forward(h).Relu();
                return Head.Forward(h);
            }
        }
        """;

    private static readonly Lazy<CompiledModels> Models = new(() => ModelHarness.Compile(ModelHarness.Usings + Source));

    [Fact]
    public void ForeachOverLayersThatWidenTheTensorLowersAndMatchesEager()
    {
        var models = Models.Value;
        var model = models.Create("Widening", 3);
        var (_, run) = ModelHarness.Check(models, "Widening", "Forward", model, ModelHarness.Random(11, 2, 4));
        Assert.Single(run.Outputs);
    }

    [Theory]
    [InlineData(2f)]
    [InlineData(0f)]
    public void IndexedLoopOverWideningBlocksWithEarlyExitsMatchesEager(float threshold)
    {
        var models = Models.Value;
        var model = models.Create("WideningWithExits", 5);
        ModelHarness.Check(models, "WideningWithExits", "Forward", model, ModelHarness.Random(12, 2, 4), threshold);
    }

    [Fact]
    public void AModuleWhoseIndexedLoopWidensTheTensorLowersWhenInlined()
    {
        var models = Models.Value;
        var model = models.Create("InlinedWidening", 3);
        ModelHarness.Check(models, "InlinedWidening", "Forward", model, ModelHarness.Random(13, 1, 4));
    }
}

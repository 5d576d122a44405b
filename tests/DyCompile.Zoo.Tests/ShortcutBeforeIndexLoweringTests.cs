using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Zoo.Tests;

/// <summary>The smallest form of BlockDrop's policy network inside BlockDrop: a module whose
/// counted loop over a module list computes the shortcut — which widens the tensor on every
/// iteration but the first — from the counter before indexing the list with it, called from a
/// forward pass that then runs a counted loop of its own over another module list. Both loops
/// must be unrolled (their indices must be known) and the tensor after the inner loop is [1, 16];
/// the eager pass and the lowered program must agree. (Lowered on its own, the inner module is
/// fine; inlined here, the tensor after its loop is typed [1, 4], DYC0204 at its head.)</summary>
public class ShortcutBeforeIndexLoweringTests
{
    private const string Source = """
        public sealed class PolicyThenBlocks : Module
        {
            public PolicyThenBlocks(Random g)
            {
                Policy = RegisterModule("policy", new WideningPolicy(g));
                Blocks = RegisterModule("blocks", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 4, generator: g)]));
            }

            public WideningPolicy Policy { get; }

            public ModuleList<Linear> Blocks { get; }

            public (Tensor Output, Tensor Policy) Forward(Tensor x)
            {
                var policy = Policy.Forward(x);
                for (var t = 0; t < Blocks.Count; t++)
                    x = Blocks[t].Forward(x).Relu();
                return (x, policy);
            }
        }

        public sealed class WideningPolicy : Module
        {
            public WideningPolicy(Random g)
            {
                Layers = RegisterModule("layers", new ModuleList<Linear>([new Linear(4, 4, generator: g), new Linear(4, 8, generator: g), new Linear(8, 16, generator: g)]));
                Head = RegisterModule("head", new Linear(16, 3, generator: g));
            }

            public ModuleList<Linear> Layers { get; }

            public Linear Head { get; }

            public Tensor Forward(Tensor x)
            {
                for (var b = 0; b < Layers.Count; b++)
                    x = (Shortcut(x, b) + Layers[b].Forward(x)).Relu();
                return Head.Forward(x);
            }

            private static Tensor Shortcut(Tensor x, int index) => index > 0 ? TensorOps.Concat([x, x * 0f], 1) : x;
        }
        """;

    [Fact]
    public void AnInlinedLoopThatBranchesOnItsCounterBeforeIndexingAModuleListLowers()
    {
        var model = InMemoryModel.Create(Source, "PolicyThenBlocks", 3);
        var x = Tensor.FromArray([0.5f, -1f, 2f, 0.25f], 1, 4);

        var lowered = ModelLowering.Lower(model.Compilation, "PolicyThenBlocks", "Forward", model.Model,
            new LoweringOptions { InputTypes = [IRType.F32(1, 4)], Strict = true });

        Assert.True(lowered.Succeeded, string.Join("\n", lowered.Diagnostics));
        var (output, policy) = ((Tensor, Tensor))model.Forward(x);
        var run = new Interpreter().Run(lowered.Program!, [x], lowered.Weights);
        Assert.Equal(output.Floats.ToArray(), ((Tensor)run.Outputs[0]).Floats.ToArray());
        Assert.Equal(policy.Floats.ToArray(), ((Tensor)run.Outputs[1]).Floats.ToArray());
    }
}

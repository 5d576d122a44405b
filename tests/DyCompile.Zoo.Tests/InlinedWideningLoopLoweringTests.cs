using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Zoo.Tests;

/// <summary>The smallest form of BlockDrop's failure: its forward pass calls the policy network,
/// a module whose counted loop over a module list widens the tensor (so the loop is unrolled)
/// before its head reads it. Lowered on its own the policy is fine (as is BlockDrop's Policy32);
/// inlined into the caller, the tensor after the loop is typed like the loop's input ([1, 4]
/// instead of [1, 16]) and the head reports DYC0204. The eager pass and the lowered program must
/// agree.</summary>
public class InlinedWideningLoopLoweringTests
{
    private const string Source = """
        public sealed class PolicyThenInput : Module
        {
            public PolicyThenInput(Random g) => Policy = RegisterModule("policy", new WideningPolicy(g));

            public WideningPolicy Policy { get; }

            public (Tensor Input, Tensor Policy) Forward(Tensor x)
            {
                var policy = Policy.Forward(x);
                return (x * 2f, policy);
            }
        }

        public sealed class WideningPolicy : Module
        {
            public WideningPolicy(Random g)
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

    [Fact]
    public void AModuleWhoseLoopWidensATensorLowersWhenInlined()
    {
        var model = InMemoryModel.Create(Source, "PolicyThenInput", 3);
        var x = Tensor.FromArray([0.5f, -1f, 2f, 0.25f], 1, 4);

        var lowered = ModelLowering.Lower(model.Compilation, "PolicyThenInput", "Forward", model.Model,
            new LoweringOptions { InputTypes = [IRType.F32(1, 4)], Strict = true });

        Assert.True(lowered.Succeeded, string.Join("\n", lowered.Diagnostics));
        var (input, policy) = ((Tensor, Tensor))model.Forward(x);
        var run = new Interpreter().Run(lowered.Program!, [x], lowered.Weights);
        Assert.Equal(input.Floats.ToArray(), ((Tensor)run.Outputs[0]).Floats.ToArray());
        Assert.Equal(policy.Floats.ToArray(), ((Tensor)run.Outputs[1]).Floats.ToArray());
    }
}

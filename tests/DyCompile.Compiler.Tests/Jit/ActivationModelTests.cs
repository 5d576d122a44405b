using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>A C# model calling the PyTorch-style activations through their <c>TensorOps</c>
/// methods lowers each call to its op (the frontend finds the op by the kernel's
/// <c>[OpKernel]</c>, attributes by the kernel's parameter names), and the compiled model agrees
/// with the model run eagerly.</summary>
public class ActivationModelTests
{
    private const string Source = """
        [DyCompile]
        public sealed class ActivationNet : Module
        {
            private readonly Linear _fc;
            public ActivationNet(Random g) { _fc = RegisterModule("fc", new Linear(8, 40, generator: g)); }
            public Tensor Forward(Tensor x)
            {
                var h = _fc.Forward(x) * 3f;
                var a = TensorOps.Softplus(h) + TensorOps.Mish(h) + TensorOps.Hardswish(h) + TensorOps.Hardsigmoid(h);
                var b = TensorOps.LeakyRelu(h, 0.2f) + TensorOps.Elu(h, 0.7f) + TensorOps.Erf(h);
                var rotary = TensorOps.Sin(h) * TensorOps.Cos(h);
                return a * b + rotary;
            }
        }
        """;

    [Fact]
    public void TheActivationsLowerToTheirOpsAndTheCompiledModelAgreesWithEagerCode()
    {
        var models = ModelHarness.Compile(ModelHarness.Usings + Source);
        var model = models.Create("ActivationNet", 3);
        var x = RandomData.Tensor(new Random(4), IRType.F32(2, 8));
        var compiled = DyCompiler.Compile(model, models.Compilation, ModelLowering.TypesOf([x]));
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        var ops = compiled.Program!.Program.Blocks.SelectMany(b => b.Nodes).Select(n => n.Op).ToHashSet();
        Assert.Superset(new HashSet<string> { "softplus", "mish", "hardswish", "hardsigmoid", "leaky_relu", "elu", "erf", "sin", "cos" }, ops);
        var rng = new Random(5);
        for (var run = 0; run < 6; run++)
        {
            object[] inputs = [RandomData.Tensor(rng, IRType.F32(2, 8), 2f)];
            var eager = ModelHarness.Flatten(ModelHarness.RunEager(model, "Forward", inputs));
            var result = compiled.Program.Run(inputs);
            ModelHarness.AssertSameValues(eager, [((Tensor)result.Outputs[0]).Clone()]);
        }
    }
}

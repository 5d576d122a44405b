using DyCompile.Runtime.Compiled;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>The whole pipeline on C# models: frontend, partition, code generation, Roslyn; the
/// compiled model agrees with the model run eagerly.</summary>
public class ModelCompileTests
{
    private const string Source = """
        [DyCompile]
        public sealed class EarlyExitNet : Module
        {
            private readonly Linear _fc1;
            private readonly Linear _head;
            private readonly Linear _fc2;
            public EarlyExitNet(Random g)
            {
                _fc1 = RegisterModule("fc1", new Linear(6, 6, generator: g));
                _head = RegisterModule("head", new Linear(6, 3, generator: g));
                _fc2 = RegisterModule("fc2", new Linear(6, 6, generator: g));
            }
            public Tensor Forward(Tensor x, float threshold, int extra)
            {
                var h = _fc1.Forward(x).Relu();
                var logits = _head.Forward(h);
                if (logits.Softmax(-1).Max().Item() > threshold)
                    return logits;
                var i = 0;
                while (i < extra)
                {
                    h = _fc2.Forward(h).Tanh();
                    i = i + 1;
                }
                return _head.Forward(h);
            }
        }
        """;

    [Fact]
    public void ACompiledModelAgreesWithTheModelRunEagerly()
    {
        var models = ModelHarness.Compile(ModelHarness.Usings + Source);
        var model = models.Create("EarlyExitNet", 5);
        var x = RandomData.Tensor(new Random(2), IRType.F32(2, 6));
        var compiled = DyCompiler.Compile(model, models.Compilation, ModelLowering.TypesOf([x, 0.5f, 2]));
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        var rng = new Random(9);
        var paths = new HashSet<int>();
        for (var run = 0; run < 12; run++)
        {
            var input = RandomData.Tensor(rng, IRType.F32(2, 6), 3f);
            object[] inputs = [input, (float)(rng.NextDouble() * 0.6 + 0.3), rng.Next(0, 4)];
            var eager = ModelHarness.Flatten(ModelHarness.RunEager(model, "Forward", inputs));
            var result = compiled.Program!.Run(inputs);
            ModelHarness.AssertSameValues(eager, [((Tensor)result.Outputs[0]).Clone()]);
            paths.Add(result.Path.Count);
        }
        Assert.True(paths.Count > 1, "every run took the same path");
    }

    [Fact]
    public void ModelErrorsComeBackAsDiagnosticsWithoutCompiling()
    {
        var models = ModelHarness.Compile(ModelHarness.Usings + Source);
        var model = models.Create("EarlyExitNet", 5);
        var compiled = DyCompiler.Compile(model, models.Compilation, ModelLowering.TypesOf([RandomData.Tensor(new Random(1), IRType.F32(2, 6)), 0.5f, 1]),
            new DyCompilerOptions { Method = "Backward" });
        Assert.False(compiled.Succeeded);
        Assert.Null(compiled.Program);
        Assert.NotEmpty(compiled.Diagnostics);
    }

    [Fact]
    public void AnEagerRegionRunsThroughHostCallInProgramOrder()
    {
        var seen = new List<string>();
        var callbacks = new HostCallbacks();
        var id = callbacks.Add("test region", args => seen.Add($"{((Tensor)args[0]).Floats[0]}:{args[1]}"));
        var text = $$"""
            program @eager(%x: tensor<f32, [2]>, %n: int) -> (tensor<f32, [2]>) {
            ^entry(%x: tensor<f32, [2]>, %n: int):
              %id = const {{id}} : int
              %y = relu(%x)
              %done = host.call(%id, %y, %n)
              %z = add(%y, %y)
              return %z
            }
            """;
        var compiled = Compiler.Jit.JitCompiler.Compile(IRProgram.Parse(text), callbacks: callbacks);
        var z = (Tensor)compiled.Run([Tensor.FromArray([3f, -1f], 2), 7]).Outputs[0];
        Assert.Equal([6f, 0f], z.Floats.ToArray());
        new Interpreter(new InterpreterOptions { Callbacks = callbacks }).Run(IRProgram.Parse(text), [Tensor.FromArray([3f, -1f], 2), 7]);
        Assert.Equal(["3:7", "3:7"], seen);
        Assert.Equal(0, id); // numbered in the program's own table, whatever else the process compiled
    }

    [Fact]
    public void AHostCallWithoutItsCallbackIsACompileError()
    {
        var text = """
            program @eager(%x: tensor<f32, [2]>) -> (tensor<f32, [2]>) {
            ^entry(%x: tensor<f32, [2]>):
              %id = const 0 : int
              %done = host.call(%id, %x)
              return %x
            }
            """;
        var e = Assert.Throws<Compiler.Jit.CompilationException>(() => Compiler.Jit.JitCompiler.Compile(IRProgram.Parse(text)));
        Assert.Contains("calls host callback 0", e.Message);
        Assert.Contains("LoweringResult.Callbacks", e.Message);
    }
}

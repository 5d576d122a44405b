using DyCompile.Backends.Cpu;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Step profiling times every step of the compiled segments as they run (fused steps
/// included), only when asked for, and leaves the results unchanged.</summary>
public class StepProfileTests
{
    private const string Text = """
        program @profiled(%x: tensor<f32, [1, 4, 8, 8]>) -> (tensor<f32, [1, 4, 8, 8]>) {
          weight @w : tensor<f32, [4, 4, 3, 3]>
          weight @b : tensor<f32, [4]>
          weight @l : tensor<f32, [8, 8]>
          weight @lb : tensor<f32, [8]>
        ^entry(%x: tensor<f32, [1, 4, 8, 8]>):
          %c = conv2d(%x, @w, @b) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}
          %r = relu(%c)
          %y = linear(%r, @l, @lb)
          %e = exp(%y)
          %t = tanh(%e)
          %s = softmax(%t) {dim = -1}
          return %s
        }
        """;

    [Fact]
    public void EveryStepIsCountedOncePerCallWithItsOpAndShape()
    {
        var program = IRProgram.Parse(Text);
        var weights = RandomData.Weights(program, 3);
        var before = StepProfile.Counters.Count;
        var compiled = JitCompiler.Compile(program, weights, new CompileOptions { ProfileSteps = true });
        var counters = StepProfile.Counters.Skip(before).ToList();
        Assert.Equal(["conv2d + [relu] [1, 4, 8, 8]", "linear [1, 4, 8, 8]", "loop [exp tanh] [1, 4, 8, 8]", "softmax [1, 4, 8, 8]"],
            counters.Select(c => c.Label));

        var inputs = RandomData.Inputs(program, new Random(5));
        var expected = new Interpreter().Run(program, inputs, weights);
        for (var i = 0; i < 3; i++)
            Assert.Null(Agreement.Compare(expected, compiled.Run(inputs), compiled.Partition));
        Assert.All(counters, c => Assert.Equal(3, c.Calls));
        Assert.All(counters, c => Assert.True(c.Milliseconds > 0, c.Label));
    }

    [Fact]
    public void WithoutTheOptionTheCodeHasNoTiming()
    {
        var program = IRProgram.Parse(Text);
        var compiled = JitCompiler.Compile(program, RandomData.Weights(program, 3));
        // No step of the generated code has a counter to time it into.
        var fields = compiled.GeneratedAssembly.GetTypes().SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic));
        Assert.DoesNotContain(fields, f => f.FieldType == typeof(StepCounter));
        var profiled = JitCompiler.Compile(program, RandomData.Weights(program, 3), new CompileOptions { ProfileSteps = true });
        var profiledFields = profiled.GeneratedAssembly.GetTypes().SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic));
        Assert.Equal(Plans.Steps(profiled).Count(), profiledFields.Count(f => f.FieldType == typeof(StepCounter)));
    }
}

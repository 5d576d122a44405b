using System.Text.RegularExpressions;
using DyCompile.Backends.Onnx;
using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Zoo.Sequence;
using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Zoo.Tests;

/// <summary>The mixture of experts at its benchmark size (128 tokens, d 256, 8 experts, top 2).
/// Its token loop narrows the input by the loop counter; with the start a run-time operand the
/// loop stays one loop (unrolled, 128 tokens × two 8-way dispatches ran past the block limit),
/// and the program agrees with the eager model in the interpreter, compiled and in ONNX Runtime.</summary>
public class MixtureOfExpertsScaleTests
{
    private static readonly MixtureOfExpertsConfig BenchmarkSize = new(Tokens: 128, Dim: 256, Hidden: 1024, Experts: 8, TopK: 2);

    private static readonly Lazy<(MixtureOfExperts Model, LoweringResult Lowering, Tensor[] Inputs)> _case = new(() =>
    {
        var model = new MixtureOfExperts(BenchmarkSize);
        var random = new Random(5);
        Tensor[] inputs = [model.SampleInput(random), model.SampleInput(random)];
        var lowering = ModelLowering.Lower(ZooSource.Compilation, typeof(MixtureOfExperts).FullName!, "Forward", model,
            new LoweringOptions { InputTypes = ModelLowering.TypesOf([inputs[0]]), Strict = true });
        return (model, lowering, inputs);
    });

    private static (MixtureOfExperts Model, LoweringResult Lowering, Tensor[] Inputs) Case
    {
        get
        {
            var c = _case.Value;
            Assert.True(c.Lowering.Succeeded, string.Join("\n", c.Lowering.Diagnostics));
            return c;
        }
    }

    [Fact]
    public void LowersWithOneTokenLoop()
    {
        var program = Case.Lowering.Program!;
        var text = program.ToString();
        // The token and its two weights/routes are read by narrow at run time: one copy each.
        Assert.Single(Regex.Matches(text, @"= narrow\(%x[.0-9]*, %t[.0-9]*\) \{dim = 1, length = 1\}"));
        Assert.DoesNotMatch(@"= slice\(", text);
        // Entry, two loops (tokens, top-k), one dispatch over 8 experts and the exit: a few dozen blocks, not thousands.
        Assert.InRange(program.Blocks.Length, 10, 40);
        Assert.Equal("tensor<i64, [?, 2]>", program.ResultTypes[1].ToString());
    }

    [Fact]
    public void AgreesWithEagerInTheInterpreterAndCompiled()
    {
        var (model, lowering, inputs) = Case;
        var compiled = DyCompiler.Compile(model, ZooSource.Compilation, ModelLowering.TypesOf([inputs[0]]),
            new DyCompilerOptions { Lowering = new LoweringOptions { Strict = true } });
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        foreach (var x in inputs)
        {
            var (output, routes) = model.Forward(x);
            var interpreted = new Interpreter(new InterpreterOptions { Callbacks = lowering.Callbacks }).Run(lowering.Program!, [x], lowering.Weights).Outputs;
            AssertSame(output, routes, (Tensor)interpreted[0], (Tensor)interpreted[1], 1e-5, "interpreter");
            var run = compiled.Program!.Run([x]).Outputs;
            AssertSame(output, routes, ((Tensor)run[0]).Clone(), ((Tensor)run[1]).Clone(), 1e-4, "compiled");
        }
    }

    [Fact]
    public void AgreesWithEagerInOnnxRuntime()
    {
        var (model, lowering, inputs) = Case;
        using var session = new InferenceSession(OnnxExporter.ExportBytes(lowering.Program!, lowering.Weights, lowering.Callbacks));
        foreach (var x in inputs)
        {
            var (output, routes) = model.Forward(x);
            using var input = OrtValue.CreateTensorValueFromMemory(x.Floats.ToArray(), [.. x.ShapeArray().Select(d => (long)d)]);
            using var options = new RunOptions();
            using var results = session.Run(options, [session.InputNames[0]], [input], session.OutputNames.ToArray());
            var ortOutput = Tensor.FromArray(results[0].GetTensorDataAsSpan<float>().ToArray(), [.. results[0].GetTensorTypeAndShape().Shape.Select(d => (int)d)]);
            var ortRoutes = Tensor.FromArray(results[1].GetTensorDataAsSpan<long>().ToArray(), [.. results[1].GetTensorTypeAndShape().Shape.Select(d => (int)d)]);
            AssertSame(output, routes, ortOutput, ortRoutes, 1e-3, "ONNX Runtime");
        }
    }

    private static void AssertSame(Tensor output, Tensor routes, Tensor actualOutput, Tensor actualRoutes, double tolerance, string where)
    {
        Assert.Equal(routes.ShapeArray(), actualRoutes.ShapeArray());
        Assert.True(routes.Longs.SequenceEqual(actualRoutes.Longs), $"{where}: the routes differ");
        Assert.Equal(output.ShapeArray(), actualOutput.ShapeArray());
        for (var i = 0; i < output.Length; i++)
            Assert.True(Math.Abs(output.Floats[i] - actualOutput.Floats[i]) <= tolerance * (1 + Math.Abs(output.Floats[i])),
                $"{where}: element {i} is {actualOutput.Floats[i]}, eagerly {output.Floats[i]}");
    }
}

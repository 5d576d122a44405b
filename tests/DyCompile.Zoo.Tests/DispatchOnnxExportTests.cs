using DyCompile.Backends.Onnx;
using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Zoo.Tests;

/// <summary>The smallest form of mixture-of-experts routing: a module list indexed by a run-time
/// int (the router's argmax), which the frontend lowers to a dispatch. Exported to ONNX, the
/// program must run in ONNX Runtime and agree with the eager pass on inputs routed to either expert.</summary>
public class DispatchOnnxExportTests
{
    private const string Source = """
        public sealed class TwoExperts : Module
        {
            public TwoExperts(Random g)
            {
                Router = RegisterModule("router", new Linear(4, 2, generator: g));
                Experts = RegisterModule("experts", new ModuleList<Linear>([new Linear(4, 3, generator: g), new Linear(4, 3, generator: g)]));
            }

            public Linear Router { get; }

            public ModuleList<Linear> Experts { get; }

            public (Tensor Output, int Expert) Forward(Tensor x)
            {
                var expert = (int)Router.Forward(x).ArgMax(1).Item();
                return (Experts[expert].Forward(x), expert);
            }
        }
        """;

    [Fact]
    public void AModuleListIndexedByARunTimeIntExportsToOnnxAndAgreesWithEager()
    {
        var model = InMemoryModel.Create(Source, "TwoExperts", 4);
        var lowered = ModelLowering.Lower(model.Compilation, "TwoExperts", "Forward", model.Model,
            new LoweringOptions { InputTypes = [IRType.F32(1, 4)], Strict = true });
        Assert.True(lowered.Succeeded, string.Join("\n", lowered.Diagnostics));

        using var session = new InferenceSession(OnnxExporter.ExportBytes(lowered.Program!, lowered.Weights, lowered.Callbacks));
        var random = new Random(5);
        var experts = new HashSet<int>();
        for (var i = 0; i < 12; i++)
        {
            var data = Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
            var (output, expert) = ((Tensor, int))model.Forward(Tensor.FromArray(data, 1, 4));
            experts.Add(expert);
            using var input = OrtValue.CreateTensorValueFromMemory(data, [1L, 4L]);
            using var options = new RunOptions();
            using var results = session.Run(options, [session.InputNames[0]], [input], session.OutputNames);
            Assert.Equal(expert, results[1].GetTensorDataAsSpan<int>()[0]);
            var onnx = results[0].GetTensorDataAsSpan<float>().ToArray();
            var expected = output.Floats.ToArray();
            for (var k = 0; k < expected.Length; k++)
                Assert.True(Math.Abs(expected[k] - onnx[k]) <= 1e-3f * (1 + Math.Abs(expected[k])), $"input {i}, output {k}: {onnx[k]} from ONNX Runtime, {expected[k]} eagerly");
        }
        Assert.Equal(2, experts.Count);
    }
}

using DyCompile.Backends.Onnx;
using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Zoo.Tests;

/// <summary>A loop bounded by <c>x.Dim(0)</c> of a dynamic batch, exported to ONNX: the size read
/// (<c>host.dim</c>) becomes Shape and Gather, and ONNX Runtime agrees with the eager pass on
/// batches of different lengths with the one exported model.</summary>
public class RunTimeSizeOnnxTests
{
    private const string Source = """
        public sealed class RowLoop : Module
        {
            public RowLoop(Random g) { Mix = RegisterModule("mix", new Linear(4, 4, generator: g)); }

            public Linear Mix { get; }

            public (Tensor Sum, int Rows) Forward(Tensor x)
            {
                var sum = Tensor.Zeros(1, 4);
                for (var b = 0; b < x.Dim(0); b++) sum = Mix.Forward(sum + x.Narrow(0, b, 1)).Tanh();
                return (sum, x.Dim(0));
            }
        }
        """;

    [Fact]
    public void ALoopOverADynamicBatchExportsToOnnxAndAgreesWithEagerOnEveryLength()
    {
        var model = InMemoryModel.Create(Source, "RowLoop", 4);
        var lowered = ModelLowering.Lower(model.Compilation, "RowLoop", "Forward", model.Model,
            new LoweringOptions { InputTypes = [IRType.F32(TensorType.Dynamic, 4)], Strict = true });
        Assert.True(lowered.Succeeded, string.Join("\n", lowered.Diagnostics));

        using var session = new InferenceSession(OnnxExporter.ExportBytes(lowered.Program!, lowered.Weights, lowered.Callbacks));
        var random = new Random(7);
        foreach (var rows in new[] { 1, 3, 6 })
        {
            var data = Enumerable.Range(0, rows * 4).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var (sum, count) = ((Tensor, int))model.Forward(Tensor.FromArray(data, rows, 4));
            using var input = OrtValue.CreateTensorValueFromMemory(data, [rows, 4L]);
            using var options = new RunOptions();
            using var results = session.Run(options, [session.InputNames[0]], [input], session.OutputNames);
            Assert.Equal(count, results[1].GetTensorDataAsSpan<int>()[0]);
            var onnx = results[0].GetTensorDataAsSpan<float>().ToArray();
            var expected = sum.Floats.ToArray();
            Assert.Equal(expected.Length, onnx.Length);
            for (var k = 0; k < expected.Length; k++)
                Assert.True(Math.Abs(expected[k] - onnx[k]) <= 1e-4f * (1 + Math.Abs(expected[k])), $"{rows} rows, output {k}: {onnx[k]} from ONNX Runtime, {expected[k]} eagerly");
        }
    }
}

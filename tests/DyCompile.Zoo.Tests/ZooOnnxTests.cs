using DyCompile.Backends.Onnx;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Zoo.EarlyExit;
using DyCompile.Zoo.Sequence;
using DyCompile.Zoo.Skipping;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Zoo.Tests;

/// <summary>A zoo model three ways: its C# forward pass run eagerly, its IR (lowered by hand, as
/// the frontend is not there yet) run by the interpreter, and that IR exported to ONNX and run by
/// ONNX Runtime — same exits, same logits.</summary>
public class ZooOnnxTests
{
    [Fact]
    public void ResNet56SdnEagerInterpreterAndOnnxRuntimeAgree()
    {
        var model = new ResNet56Sdn(new SdnConfig(WidthDivisor: 4, Seed: 2));
        var program = ResNet56SdnLowering.Lower(model);
        Assert.DoesNotContain(Verifier.Verify(program), f => f.Severity == Severity.Error);
        var weights = model.SaveStateDict();
        using var ort = new InferenceSession(OnnxExporter.ExportBytes(program, weights));
        var interpreter = new Interpreter();
        var random = new Random(8);
        var exits = new HashSet<int>();
        for (var i = 0; i < 10; i++)
        {
            var x = model.SampleInput(random);
            var (logits, exit) = model.Forward(x);
            exits.Add(exit);

            var run = interpreter.Run(program, [x], weights);
            Assert.Equal(exit, (int)run.Outputs[1]);
            Assert.Equal(logits.Floats.ToArray(), ((Tensor)run.Outputs[0]).Floats.ToArray()); // the same kernels: bit for bit

            using var input = OrtValue.CreateTensorValueFromMemory(x.Floats.ToArray(), x.ShapeArray().Select(d => (long)d).ToArray());
            using var options = new RunOptions();
            using var results = ort.Run(options, ["x"], [input], ["result0", "result1"]);
            Assert.Equal(exit, results[1].GetTensorDataAsSpan<int>()[0]);
            var onnx = results[0].GetTensorDataAsSpan<float>().ToArray();
            var expected = logits.Floats.ToArray();
            Assert.Equal(expected.Length, onnx.Length);
            for (var k = 0; k < expected.Length; k++)
                Assert.True(Math.Abs(expected[k] - onnx[k]) <= 1e-3f * (1 + Math.Abs(expected[k])), $"input {i}, logit {k}: {onnx[k]} from ONNX Runtime, {expected[k]} eagerly");
        }
        Assert.True(exits.Count >= 2, "every input left at the same exit");
    }

    [Fact]
    public void SkipNetEagerInterpreterAndOnnxRuntimeAgreeOnSkippedBlocks()
    {
        var model = new SkipNetFeedForward(new SkipNetConfig(Width: 4, Seed: 5));
        var program = SkipNetFeedForwardLowering.Lower(model, 32);
        Assert.DoesNotContain(Verifier.Verify(program), f => f.Severity == Severity.Error);
        var weights = model.SaveStateDict();
        var proto = OnnxExporter.Export(program, weights);
        // Seventeen sequential diamonds: seventeen Ifs in the main graph, none duplicated.
        Assert.Equal(17, proto.Graph.Node.Count(n => n.OpType == "If"));
        using var ort = new InferenceSession(OnnxExporter.ExportBytes(program, weights));
        var interpreter = new Interpreter();
        var random = new Random(3);
        var paths = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            var x = model.SampleInput(random);
            var (logits, executed) = model.Forward(x);

            var run = interpreter.Run(program, [x], weights);
            var ranInIR = Enumerable.Range(1, model.Blocks.Count - 1).Select(b => run.Path.Contains($"run_{b}")).ToArray();
            Assert.Equal(Enumerable.Range(1, model.Blocks.Count - 1).Select(b => executed.Floats[b] == 1f), ranInIR);
            Assert.Equal(logits.Floats.ToArray(), ((Tensor)run.Outputs[0]).Floats.ToArray());
            paths.Add(string.Join(',', ranInIR));

            using var input = OrtValue.CreateTensorValueFromMemory(x.Floats.ToArray(), x.ShapeArray().Select(d => (long)d).ToArray());
            using var options = new RunOptions();
            using var results = ort.Run(options, ["x"], [input], ["result0"]);
            var onnx = results[0].GetTensorDataAsSpan<float>().ToArray();
            var expected = logits.Floats.ToArray();
            for (var k = 0; k < expected.Length; k++)
                Assert.True(Math.Abs(expected[k] - onnx[k]) <= 1e-3f * (1 + Math.Abs(expected[k])), $"input {i}, logit {k}: {onnx[k]} from ONNX Runtime, {expected[k]} eagerly");
        }
        Assert.True(paths.Count >= 2, "every input skipped the same blocks");
    }

    [Fact]
    public void CaptionerGreedyLoopAgreesEagerInterpreterAndOnnxRuntime()
    {
        var model = new ImageCaptioner(new ImageCaptionerConfig(Seed: 1));
        var program = ImageCaptionerLowering.Lower(model);
        Assert.DoesNotContain(Verifier.Verify(program), f => f.Severity == Severity.Error);
        var weights = model.SaveStateDict();
        var proto = OnnxExporter.Export(program, weights);
        Assert.Single(proto.Graph.Node, n => n.OpType == "Loop");
        using var ort = new InferenceSession(proto.ToByteArray());
        var interpreter = new Interpreter();
        var random = new Random(42);
        var lengths = new HashSet<int>();
        for (var i = 0; i < 8; i++)
        {
            var x = model.SampleInput(random);
            var caption = model.Forward(x);
            lengths.Add(caption.Dim(1));

            var maxSteps = model.Config.MaxSteps;
            var expected = caption.Longs.ToArray().Concat(Enumerable.Repeat(-1L, maxSteps - caption.Dim(1))).ToArray();
            var run = interpreter.Run(program, [x], weights);
            Assert.Equal(expected, ((Tensor)run.Outputs[0]).Longs.ToArray());
            Assert.Equal(caption.Dim(1), (int)run.Outputs[1]);

            using var input = OrtValue.CreateTensorValueFromMemory(x.Floats.ToArray(), x.ShapeArray().Select(d => (long)d).ToArray());
            using var options = new RunOptions();
            using var results = ort.Run(options, ["image"], [input], ["result0", "result1"]);
            Assert.Equal(expected, results[0].GetTensorDataAsSpan<long>().ToArray());
            Assert.Equal(caption.Dim(1), results[1].GetTensorDataAsSpan<int>()[0]);
        }
        Assert.True(lengths.Count >= 2, "every caption had the same length");
    }

    [Fact]
    public void EarlyExitTransformerEagerInterpreterAndOnnxRuntimeAgree()
    {
        var model = new EarlyExitTransformer(new EarlyExitTransformerConfig(Threshold: 0.4f, Seed: 1));
        var program = EarlyExitTransformerLowering.Lower(model);
        Assert.DoesNotContain(Verifier.Verify(program), f => f.Severity == Severity.Error);
        var weights = model.SaveStateDict();
        using var ort = new InferenceSession(OnnxExporter.ExportBytes(program, weights));
        var interpreter = new Interpreter();
        var random = new Random(42);
        var exits = new HashSet<int>();
        for (var i = 0; i < 12; i++)
        {
            var ids = model.SampleInput(random);
            var (logits, exit) = model.Forward(ids);
            exits.Add(exit);

            var run = interpreter.Run(program, [ids], weights);
            Assert.Equal(exit, (int)run.Outputs[1]);
            Assert.Equal(logits.Floats.ToArray(), ((Tensor)run.Outputs[0]).Floats.ToArray());

            using var input = OrtValue.CreateTensorValueFromMemory(ids.Longs.ToArray(), ids.ShapeArray().Select(d => (long)d).ToArray());
            using var options = new RunOptions();
            using var results = ort.Run(options, ["ids"], [input], ["result0", "result1"]);
            Assert.Equal(exit, results[1].GetTensorDataAsSpan<int>()[0]);
            var onnx = results[0].GetTensorDataAsSpan<float>().ToArray();
            var expected = logits.Floats.ToArray();
            for (var k = 0; k < expected.Length; k++)
                Assert.True(Math.Abs(expected[k] - onnx[k]) <= 1e-3f * (1 + Math.Abs(expected[k])), $"input {i}, logit {k}: {onnx[k]} from ONNX Runtime, {expected[k]} eagerly");
        }
        Assert.True(exits.Count >= 2, "every input left at the same layer");
    }
}

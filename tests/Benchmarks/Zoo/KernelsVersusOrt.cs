using System.Diagnostics;
using System.Globalization;
using DyCompile.Backends.Onnx;
using DyCompile.IR;
using DyCompile.Runtime;
using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Benchmarks.Zoo;

/// <summary>`--kernels [filter] [--batch N]`: the zoo's dense layers one at a time, each as the
/// compiled code calls it (a convolution with its ReLU fused, <c>TensorOps.Conv2dFusedInto</c>; a
/// linear layer on its packed weight, <c>Gemm.Sgemm</c>; attention's batched product) against the
/// same layer exported alone to ONNX and run in an ONNX Runtime session set up as in the zoo
/// benchmark. The two run in alternating rounds of about 50 ms each, so load changes on the shared
/// machine fall on both, with a pause after each ONNX Runtime round for its spinning pool threads
/// to park; the table gives each side's median per call over the rounds and ONNX
/// Runtime / DyCompile (above 1: DyCompile faster). Results are compared once (within 1e-3 of the
/// largest magnitude) before timing.</summary>
internal static class KernelsVersusOrt
{
    private const int Rounds = 7;
    private const double RoundSeconds = 0.05;

    /// <summary>Long enough for tiered compilation to have swapped in the optimized code of every
    /// method on the path (30 calls and a quiet spell of 100 ms).</summary>
    private const double WarmupSeconds = 1.0;

    private sealed record Layer(string Model, string Name, Func<int, LayerRun> Create);

    /// <summary>One layer's two runners and their outputs.</summary>
    private sealed class LayerRun(Action ours, Func<float[]> ourOutput, OrtModel ort, OrtValue[] ortInputs, double flops) : IDisposable
    {
        public Action Ours { get; } = ours;
        public Func<float[]> OurOutput { get; } = ourOutput;
        public double Flops { get; } = flops;

        public float[] OrtOutput()
        {
            using var results = ort.Run(ortInputs);
            return results[0].GetTensorDataAsSpan<float>().ToArray();
        }

        public void RunOrt()
        {
            using var results = ort.Run(ortInputs);
        }

        public void Dispose()
        {
            foreach (var value in ortInputs) value.Dispose();
            ort.Dispose();
        }
    }

    private static readonly Layer[] Layers =
    [
        Conv("ResNet-56", 16, 16, 32, 3, 1, 1),
        Conv("ResNet-56", 16, 32, 32, 3, 2, 1),
        Conv("ResNet-56", 32, 32, 16, 3, 1, 1),
        Conv("ResNet-56", 64, 64, 8, 3, 1, 1),
        Conv("WRN-32-4", 16, 64, 32, 3, 1, 1),
        Conv("WRN-32-4", 64, 64, 32, 3, 1, 1),
        Conv("WRN-32-4", 64, 128, 32, 3, 2, 1),
        Conv("WRN-32-4", 128, 128, 16, 3, 1, 1),
        Conv("WRN-32-4", 256, 256, 8, 3, 1, 1),
        Conv("SkipNet gate", 16, 16, 16, 3, 2, 1),
        Conv("SkipNet gate", 32, 32, 8, 3, 2, 1),
        Conv("SkipNet gate", 64, 64, 4, 3, 2, 1),
        Conv("VGG16-BN", 3, 64, 224, 3, 1, 1),
        Conv("VGG16-BN", 64, 64, 224, 3, 1, 1),
        Conv("VGG16-BN", 128, 128, 112, 3, 1, 1),
        Conv("VGG16-BN", 256, 256, 56, 3, 1, 1),
        Conv("VGG16-BN", 512, 512, 28, 3, 1, 1),
        Conv("VGG16-BN", 512, 512, 14, 3, 1, 1),
        Conv("MobileNet", 3, 32, 224, 3, 1, 1),
        Conv("MobileNet", 32, 32, 224, 3, 1, 1, depthwise: true),
        Conv("MobileNet", 32, 64, 224, 1, 1, 0),
        Conv("MobileNet", 64, 64, 224, 3, 2, 1, depthwise: true),
        Conv("MobileNet", 64, 128, 112, 1, 1, 0),
        Conv("MobileNet", 128, 128, 112, 3, 1, 1, depthwise: true),
        Conv("MobileNet", 128, 128, 112, 1, 1, 0),
        Conv("MobileNet", 128, 128, 112, 3, 2, 1, depthwise: true),
        Conv("MobileNet", 128, 256, 56, 1, 1, 0),
        Conv("MobileNet", 256, 256, 56, 3, 1, 1, depthwise: true),
        Conv("MobileNet", 256, 256, 56, 1, 1, 0),
        Conv("MobileNet", 256, 256, 56, 3, 2, 1, depthwise: true),
        Conv("MobileNet", 256, 512, 28, 1, 1, 0),
        Conv("MobileNet", 512, 512, 28, 3, 1, 1, depthwise: true),
        Conv("MobileNet", 512, 512, 28, 1, 1, 0),
        Conv("MobileNet", 512, 512, 28, 3, 2, 1, depthwise: true),
        Conv("MobileNet", 512, 1024, 14, 1, 1, 0),
        Conv("MobileNet", 1024, 1024, 14, 3, 1, 1, depthwise: true),
        Conv("MobileNet", 1024, 1024, 14, 1, 1, 0),
        Linear("transformer", 128, 256, 256),
        Linear("transformer", 128, 1024, 256),
        Linear("transformer", 128, 256, 1024),
        Attention("transformer", 4, 128, 128, 64),
        Attention("transformer", 4, 128, 64, 128),
        LinearGelu("transformer", 128, 1024, 256),
        Gelu("transformer", 128, 1024, 3f),
        Gelu("transformer", 128, 1024, 6f),
        Softmax("transformer", 4, 128, 128),
        LayerNorm("transformer", 128, 256),
    ];

    public static void Run(string[] args)
    {
        var filter = "";
        var batch = 1;
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--batch" && i + 1 < args.Length) batch = UsageError.PositiveInt("--batch", args[++i]);
            else filter = args[i];
        }
        var machine = new MachineState();
        Console.WriteLine($"{machine.Cpu}, {Environment.ProcessorCount} cores; load average {machine.LoadAtStart}");
        Console.WriteLine($"instruction sets: {machine.Isa}");
        Console.WriteLine($"batch {batch}; medians of {Rounds} alternating rounds of ~{RoundSeconds * 1e3:F0} ms per side");
        Console.WriteLine();
        Console.WriteLine("| model | layer | DyCompile (ms) | ORT (ms) | DyCompile GFLOP/s | ORT / DyCompile |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        var ratios = new List<double>();
        foreach (var layer in Layers)
        {
            if (!$"{layer.Model} {layer.Name}".Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
            using var run = layer.Create(batch);
            run.Ours();
            var ours = run.OurOutput();
            var theirs = run.OrtOutput();
            var agreement = Agreement(ours, theirs);
            var (ourMs, ortMs) = Time(run);
            var ratio = ortMs / ourMs;
            ratios.Add(ratio);
            Console.WriteLine(FormattableString.Invariant(
                $"| {layer.Model} | {layer.Name} | {ourMs:F3} | {ortMs:F3} | {(run.Flops > 0 ? (run.Flops / ourMs / 1e6).ToString("F1", CultureInfo.InvariantCulture) : "—")} | {ratio:F2}×{(agreement is null ? "" : $" ({agreement})")} |"));
        }
        if (ratios.Count > 0)
            Console.WriteLine(FormattableString.Invariant($"| **geometric mean** | | | | | **{Math.Exp(ratios.Average(Math.Log)):F2}×** |"));
        machine.Finish();
        Console.WriteLine();
        Console.WriteLine($"load average at the end {machine.LoadAtEnd}");
    }

    private static (double Ours, double Ort) Time(LayerRun run)
    {
        // Warm-up: tiered compilation, the packed weights, ONNX Runtime's first-run allocations.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < WarmupSeconds) { run.Ours(); run.RunOrt(); }
        Thread.Sleep(ZooBenchmark.OrtSpinDownMilliseconds);
        var ours = new List<double>();
        var ort = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            ours.Add(Round(run.Ours));
            ort.Add(Round(run.RunOrt));
            // ONNX Runtime's pool threads spin for hundreds of milliseconds after its calls and
            // would take the second core from ours (see ZooBenchmark.OrtSpinDownMilliseconds).
            Thread.Sleep(ZooBenchmark.OrtSpinDownMilliseconds);
        }
        return (Median(ours), Median(ort));
    }

    /// <summary>Milliseconds per call over calls made in about <see cref="RoundSeconds"/>.</summary>
    private static double Round(Action call)
    {
        Thread.Sleep(3); // our GEMM workers spin for 200 µs after a call
        var calls = 0;
        var start = Stopwatch.GetTimestamp();
        double elapsed;
        do
        {
            call();
            calls++;
            elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        } while (elapsed < RoundSeconds);
        return elapsed * 1e3 / calls;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static string? Agreement(float[] ours, float[] theirs)
    {
        if (ours.Length != theirs.Length) return $"DISAGREE: {ours.Length} against {theirs.Length} values";
        var scale = Math.Max(1e-6f, theirs.Max(MathF.Abs));
        var worst = 0f;
        for (var i = 0; i < ours.Length; i++) worst = Math.Max(worst, MathF.Abs(ours[i] - theirs[i]));
        return worst <= 1e-3f * scale ? null : $"DISAGREE: {worst / scale:E1}";
    }

    private static Tensor Random(Random random, float scale, params int[] shape)
    {
        var values = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (var i = 0; i < values.Length; i++) values[i] = ((float)random.NextDouble() * 2 - 1) * scale;
        return Tensor.FromArray(values, shape);
    }

    private static Layer Conv(string model, int inChannels, int outChannels, int side, int kernel, int stride, int padding, bool depthwise = false)
    {
        var groups = depthwise ? inChannels : 1;
        var name = depthwise
            ? $"dw {kernel}x{kernel} {inChannels}ch{(stride > 1 ? $" s{stride}" : "")} {side}x{side}"
            : $"{kernel}x{kernel} {inChannels}->{outChannels}{(stride > 1 ? $" s{stride}" : "")} {side}x{side}";
        return new Layer(model, name, batch =>
        {
            var random = new Random(7);
            var input = Random(random, 1f, batch, inChannels, side, side);
            var weight = Random(random, 1f / MathF.Sqrt(inChannels / groups * kernel * kernel), outChannels, inChannels / groups, kernel, kernel);
            var bias = Random(random, 0.1f, outChannels);
            var outSide = (side + 2 * padding - kernel) / stride + 1;
            var output = Tensor.Zeros(batch, outChannels, outSide, outSide);
            int[] strides = [stride, stride], pads = [padding, padding], dilation = [1, 1];

            var pb = new ProgramBuilder("conv");
            var x = pb.Input("x", IRType.F32(batch, inChannels, side, side));
            var w = pb.Weight("w", IRType.F32(outChannels, inChannels / groups, kernel, kernel));
            var b = pb.Weight("b", IRType.F32(outChannels));
            var y = pb.Entry.Op("conv2d", [x, w, b], new Attrs { { "stride", strides }, { "padding", pads }, { "dilation", dilation }, { "groups", groups } });
            pb.Entry.Return(pb.Entry.Relu(y));
            var ort = Export(pb.Build(), new Dictionary<string, Tensor> { ["w"] = weight, ["b"] = bias });
            var flops = 2.0 * batch * outChannels * outSide * outSide * (inChannels / groups) * kernel * kernel;
            return new LayerRun(
                () => TensorOps.Conv2dFusedInto(input, weight, bias, null, true, strides, pads, dilation, groups, output),
                () => output.Floats.ToArray(), ort, OrtModel.ToOrt([input]), flops);
        });
    }

    private static Layer Linear(string model, int tokens, int outs, int ins) => new(model, $"linear {tokens}x{outs}x{ins}", batch =>
    {
        var random = new Random(8);
        var rows = batch * tokens;
        var input = Random(random, 1f, batch, tokens, ins);
        var weight = Random(random, 1f / MathF.Sqrt(ins), outs, ins);
        var bias = Random(random, 0.1f, outs);
        var output = Tensor.Zeros(batch, tokens, outs);
        var pb = new ProgramBuilder("linear");
        var x = pb.Input("x", IRType.F32(batch, tokens, ins));
        var y = pb.Entry.Linear(x, pb.Weight("w", IRType.F32(outs, ins)), pb.Weight("b", IRType.F32(outs)));
        pb.Entry.Return(y);
        var ort = Export(pb.Build(), new Dictionary<string, Tensor> { ["w"] = weight, ["b"] = bias });
        // As the generated code runs a linear layer: bias + x·Wᵀ, the GEMM starting each block of C as the bias.
        void Ours() => Gemm.Sgemm(GemmPackedB.OfLinearWeight(weight), rows, input.Floats, ins, output.Floats, outs, bias.Floats);
        return new LayerRun(Ours, () => output.Floats.ToArray(), ort, OrtModel.ToOrt([input]), 2.0 * rows * outs * ins);
    });

    private static Layer Attention(string model, int heads, int m, int n, int k) => new(model, $"matmul {heads}x{m}x{n}x{k}", batch =>
    {
        var random = new Random(9);
        var a = Random(random, 1f, batch, heads, m, k);
        var b = Random(random, 1f, batch, heads, k, n);
        var output = Tensor.Zeros(batch, heads, m, n);
        var pb = new ProgramBuilder("matmul");
        var x = pb.Input("a", IRType.F32(batch, heads, m, k));
        var y = pb.Input("b", IRType.F32(batch, heads, k, n));
        pb.Entry.Return(pb.Entry.Op("matmul", [x, y], null));
        var ort = Export(pb.Build(), []);
        return new LayerRun(() => TensorOps.MatMulInto(a, b, output), () => output.Floats.ToArray(), ort, OrtModel.ToOrt([a, b]),
            2.0 * batch * heads * m * n * k);
    });

    /// <summary>The feed-forward layer's first half as the compiled code runs it: the linear layer
    /// with GELU applied to its result (one step).</summary>
    private static Layer LinearGelu(string model, int tokens, int outs, int ins) => new(model, $"linear+gelu {tokens}x{outs}x{ins}", batch =>
    {
        var random = new Random(8);
        var rows = batch * tokens;
        var input = Random(random, 1f, batch, tokens, ins);
        var weight = Random(random, 1f / MathF.Sqrt(ins), outs, ins);
        var bias = Random(random, 0.1f, outs);
        var output = Tensor.Zeros(batch, tokens, outs);
        var pb = new ProgramBuilder("linear_gelu");
        var x = pb.Input("x", IRType.F32(batch, tokens, ins));
        var y = pb.Entry.Linear(x, pb.Weight("w", IRType.F32(outs, ins)), pb.Weight("b", IRType.F32(outs)));
        pb.Entry.Return(pb.Entry.Op("gelu", y));
        var ort = Export(pb.Build(), new Dictionary<string, Tensor> { ["w"] = weight, ["b"] = bias });
        void Ours()
        {
            var c = output.Floats;
            Gemm.Sgemm(GemmPackedB.OfLinearWeight(weight), rows, input.Floats, ins, c, outs, bias.Floats, GemmEpilogue.Gelu);
        }
        return new LayerRun(Ours, () => output.Floats.ToArray(), ort, OrtModel.ToOrt([input]), 2.0 * rows * outs * ins);
    });

    /// <summary>GELU on inputs uniform in ±<paramref name="spread"/>: a spread past 3 puts lanes in its lower tail.</summary>
    private static Layer Gelu(string model, int tokens, int width, float spread) => new(model, $"gelu {tokens}x{width} ±{spread:0}", batch =>
    {
        var input = Random(new Random(10), spread, batch, tokens, width);
        var output = Tensor.Zeros(batch, tokens, width);
        var pb = new ProgramBuilder("gelu");
        var x = pb.Input("x", IRType.F32(batch, tokens, width));
        pb.Entry.Return(pb.Entry.Op("gelu", x));
        var ort = Export(pb.Build(), []);
        return new LayerRun(() => TensorOps.GeluInto(input, output), () => output.Floats.ToArray(), ort, OrtModel.ToOrt([input]), 0);
    });

    private static Layer Softmax(string model, int heads, int m, int n) => new(model, $"softmax {heads}x{m}x{n}", batch =>
    {
        var input = Random(new Random(11), 4f, batch, heads, m, n);
        var output = Tensor.Zeros(batch, heads, m, n);
        var pb = new ProgramBuilder("softmax");
        var x = pb.Input("x", IRType.F32(batch, heads, m, n));
        pb.Entry.Return(pb.Entry.Softmax(x, -1));
        var ort = Export(pb.Build(), []);
        return new LayerRun(() => TensorOps.SoftmaxInto(input, -1, output), () => output.Floats.ToArray(), ort, OrtModel.ToOrt([input]), 0);
    });

    private static Layer LayerNorm(string model, int tokens, int width) => new(model, $"layer_norm {tokens}x{width}", batch =>
    {
        var random = new Random(12);
        var input = Random(random, 2f, batch, tokens, width);
        var gamma = Random(random, 1f, width);
        var beta = Random(random, 0.1f, width);
        var output = Tensor.Zeros(batch, tokens, width);
        var pb = new ProgramBuilder("layer_norm");
        var x = pb.Input("x", IRType.F32(batch, tokens, width));
        pb.Entry.Return(pb.Entry.Op("layer_norm", [x, pb.Weight("g", IRType.F32(width)), pb.Weight("b", IRType.F32(width))], new Attrs { { "eps", 1e-5f } }));
        var ort = Export(pb.Build(), new Dictionary<string, Tensor> { ["g"] = gamma, ["b"] = beta });
        return new LayerRun(() => TensorOps.LayerNormInto(input, gamma, beta, 1e-5f, output), () => output.Floats.ToArray(), ort, OrtModel.ToOrt([input]), 0);
    });

    private static OrtModel Export(IRProgram program, Dictionary<string, Tensor> weights) =>
        new(OnnxExporter.ExportBytes(program, weights), program.Inputs.Select(p => p.Name).ToList());
}

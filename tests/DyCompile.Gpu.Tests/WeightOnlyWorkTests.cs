using System.Runtime.CompilerServices;
using DyCompile.Backends.Gpu;
using DyCompile.Compiler;
using DyCompile.Compiler.Jit;
using DyCompile.Compiler.Tests.Jit;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Zoo;
using DyCompile.Zoo.EarlyExit;

namespace DyCompile.Gpu.Tests;

/// <summary>Work on weights alone (folded batch-norm scales, weight transposes) runs on the device
/// once per call site and set of weight uploads, not on every call: a steady-state call launches
/// none of it, and a weight marked modified or a new state dict makes the next call compute it
/// again — only for the call sites that read the changed weight, and once for all pooled states.</summary>
public class WeightOnlyWorkTests
{
    /// <summary>Two conv → batch_norm → relu layers of one structure (one distinct segment, two call
    /// sites with their own weights), split by exit tests, and a tail that multiplies by a
    /// transposed weight.</summary>
    private const string Layers = """
        program @layers(%x: tensor<f32, [1, 3, 6, 6]>, %thr: float) -> (tensor<f32, [1, 3, 6, 6]>) {
          weight @w1 : tensor<f32, [3, 3, 3, 3]>
          weight @b1 : tensor<f32, [3]>
          weight @m1 : tensor<f32, [3]>
          weight @v1 : tensor<f32, [3]>
          weight @g1 : tensor<f32, [3]>
          weight @be1 : tensor<f32, [3]>
          weight @w2 : tensor<f32, [3, 3, 3, 3]>
          weight @b2 : tensor<f32, [3]>
          weight @m2 : tensor<f32, [3]>
          weight @v2 : tensor<f32, [3]>
          weight @g2 : tensor<f32, [3]>
          weight @be2 : tensor<f32, [3]>
          weight @p : tensor<f32, [6, 6]>
        ^entry(%x: tensor<f32, [1, 3, 6, 6]>, %thr: float):
          %c = conv2d(%x, @w1, @b1) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}
          %n = batch_norm(%c, @m1, @v1, @g1, @be1) {eps = 0.00001}
          %r = relu(%n)
          %s = sum(%r) {dims = [], keepdim = false}
          %v = item(%s)
          %stop = host.gt(%v, %thr)
          branch %stop, ^exit(%r), ^more(%r, %thr)
        ^more(%y: tensor<f32, [1, 3, 6, 6]>, %thr2: float):
          %c2 = conv2d(%y, @w2, @b2) {stride = [1, 1], padding = [1, 1], dilation = [1, 1], groups = 1}
          %n2 = batch_norm(%c2, @m2, @v2, @g2, @be2) {eps = 0.00001}
          %r2 = relu(%n2)
          %s2 = sum(%r2) {dims = [], keepdim = false}
          %u = item(%s2)
          %stop2 = host.gt(%u, %thr2)
          branch %stop2, ^exit(%r2), ^tail(%r2)
        ^tail(%t: tensor<f32, [1, 3, 6, 6]>):
          %f = reshape(%t) {shape = [18, 6]}
          %pt = transpose(@p) {dim0 = 0, dim1 = 1}
          %z = matmul(%f, %pt)
          %z4 = reshape(%z) {shape = [1, 3, 6, 6]}
          jump ^exit(%z4)
        ^exit(%out: tensor<f32, [1, 3, 6, 6]>):
          return %out
        }
        """;

    /// <summary>A threshold no sum reaches: every call runs both layers and the tail.</summary>
    private const float Never = 1e9f;

    private static readonly CompileOptions _options = new() { Target = Target.IlgpuCpu, Partition = new() { IfConversion = false } };

    [Fact]
    public void ASecondCallWithTheSameWeightsLaunchesNoWeightOnlyWork()
    {
        var (program, weights, compiled) = CompileLayers();
        using var _ = compiled;
        var rng = new Random(2);
        Assert.True(compiled.Planned.Segments.Count(s => s.Preparation!.Nodes.Count > 0) >= 1, "the program has no weight-only work to keep");

        var first = GpuTransfers.WeightOnlyLaunches;
        AgreesWithTheInterpreter(program, weights, compiled, Input(rng, Never));
        var launched = GpuTransfers.WeightOnlyLaunches - first;
        Assert.True(launched > 0, "the first call computed no weight-only result");

        foreach (var threshold in new[] { Never, 20f, -1e9f, Never })
        {
            var before = GpuTransfers.WeightOnlyLaunches;
            AgreesWithTheInterpreter(program, weights, compiled, Input(rng, threshold));
            Assert.Equal(before, GpuTransfers.WeightOnlyLaunches);
        }
    }

    [Fact]
    public void AWeightMarkedModifiedIsPreparedAgainForTheCallSiteThatReadsIt()
    {
        var (program, weights, compiled) = CompileLayers();
        using var _ = compiled;
        var rng = new Random(3);
        var x = Input(rng, Never);
        var start = GpuTransfers.WeightOnlyLaunches;
        var before = (Tensor)compiled.Run(x).Outputs[0];
        var all = GpuTransfers.WeightOnlyLaunches - start;

        // The first layer's running variance: folded into its conv's weights and bias.
        weights["v1"].Floats.Fill(4f);
        weights["v1"].MarkModified();
        start = GpuTransfers.WeightOnlyLaunches;
        var after = AgreesWithTheInterpreter(program, weights, compiled, x);
        var again = GpuTransfers.WeightOnlyLaunches - start;
        Assert.NotEqual(before.Floats.ToArray(), ((Tensor)after.Outputs[0]).Floats.ToArray());
        Assert.True(again > 0 && again < all, $"{again} weight-only launches after a change to one layer's weight, {all} for the whole program");

        start = GpuTransfers.WeightOnlyLaunches;
        AgreesWithTheInterpreter(program, weights, compiled, Input(rng, Never));
        Assert.Equal(start, GpuTransfers.WeightOnlyLaunches);

        // The transposed weight of the tail.
        Assert.Contains(compiled.Planned.Segments, s => s.Preparation!.Nodes.Any(n => n.Op == "transpose"));
        weights["p"].Floats.Fill(0.5f);
        weights["p"].MarkModified();
        start = GpuTransfers.WeightOnlyLaunches;
        AgreesWithTheInterpreter(program, weights, compiled, Input(rng, Never));
        Assert.True(GpuTransfers.WeightOnlyLaunches > start, "the transposed weight was not prepared again");
    }

    /// <summary>Concurrent calls on pooled states after a change compute the weight-only results
    /// once between them, and every caller computes with them.</summary>
    [Fact]
    public void ConcurrentCallsAfterAChangePrepareOnce()
    {
        var (program, weights, compiled) = CompileLayers();
        using var _ = compiled;
        var x = Input(new Random(4), Never);
        compiled.Run(x);
        weights["g1"].Floats.Fill(2f);
        weights["g1"].MarkModified();
        var start = GpuTransfers.WeightOnlyLaunches;
        compiled.Run(x);
        var once = GpuTransfers.WeightOnlyLaunches - start;
        Assert.True(once > 0);

        weights["g1"].Floats.Fill(0.5f);
        weights["g1"].MarkModified();
        var expected = new Interpreter().Run(program, x, weights);
        long launched = 0;
        var problems = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            // The counters are per thread, and a call's device work is enqueued on the calling thread.
            var mine = GpuTransfers.WeightOnlyLaunches;
            var run = compiled.Run(x);
            Interlocked.Add(ref launched, GpuTransfers.WeightOnlyLaunches - mine);
            if (Agreement.Compare(expected, run, compiled.Partition) is { } problem) problems.Add($"call {i}: {problem}");
        });
        Assert.Empty(problems);
        Assert.Equal(once, launched);
    }

    /// <summary>A zoo CNN with batch norm after every conv: a state dict loaded after compiling
    /// (other conv weights, running statistics and affine parameters) is folded again on the next
    /// call, which agrees with the eager forward, and the call after it prepares nothing.</summary>
    [Fact]
    public void ALoadedStateDictIsFoldedAgainOnTheDevice()
    {
        var model = new Vgg16BnSdn(new SdnConfig(WidthDivisor: 16, Seed: 1));
        var random = new Random(7);
        var x = model.SampleInput(random);
        var compiled = DyCompiler.Compile(model, ModelLowering.TypesOf([x]), new DyCompilerOptions
        {
            Lowering = new LoweringOptions { Strict = true },
            Jit = new CompileOptions { Target = Target.IlgpuCpu },
        });
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        using var program = compiled.Program!;
        AgreesWithEager(model, program, x);

        var other = new Vgg16BnSdn(new SdnConfig(WidthDivisor: 16, Seed: 9));
        var state = other.SaveStateDict().ToDictionary(p => p.Key, p => p.Value.Clone());
        var changed = 0;
        foreach (var (name, tensor) in state)
        {
            if (tensor.DType != DType.Float32) continue;
            var values = tensor.Floats;
            for (var i = 0; i < values.Length; i++)
            {
                if (name.EndsWith("running_var", StringComparison.Ordinal)) values[i] = 0.25f + 0.05f * (i % 7);
                else if (name.EndsWith("running_mean", StringComparison.Ordinal)) values[i] = 0.1f * ((i % 5) - 2);
                else if (name.EndsWith("bn.weight", StringComparison.Ordinal)) values[i] = 0.75f + 0.1f * (i % 3);
                else continue;
                changed++;
            }
        }
        Assert.True(changed > 0, "the zoo model has no batch-norm state to change");
        model.LoadStateDict(state);

        var start = GpuTransfers.WeightOnlyLaunches;
        AgreesWithEager(model, program, x);
        Assert.True(GpuTransfers.WeightOnlyLaunches > start, "the new state dict's batch norms were not folded again");
        start = GpuTransfers.WeightOnlyLaunches;
        AgreesWithEager(model, program, model.SampleInput(random));
        Assert.Equal(start, GpuTransfers.WeightOnlyLaunches);
    }

    /// <summary>A state dict replaces the weight tensors: the device copies of the replaced ones
    /// hold the new ones (same sizes), so loading state dicts again and again allocates no device
    /// memory, and every call still agrees with the eager forward.</summary>
    [Fact]
    public void LoadingStateDictsAgainAndAgainAllocatesNoDeviceMemory()
    {
        var model = new Vgg16BnSdn(new SdnConfig(WidthDivisor: 16, Seed: 1));
        var random = new Random(8);
        var x = model.SampleInput(random);
        var compiled = DyCompiler.Compile(model, ModelLowering.TypesOf([x]), new DyCompilerOptions
        {
            Lowering = new LoweringOptions { Strict = true },
            Jit = new CompileOptions { Target = Target.IlgpuCpu },
        });
        Assert.True(compiled.Succeeded, string.Join("\n", compiled.Diagnostics));
        using var program = compiled.Program!;
        AgreesWithEager(model, program, x);

        foreach (var seed in new[] { 2, 3, 4 })
        {
            var state = new Vgg16BnSdn(new SdnConfig(WidthDivisor: 16, Seed: seed)).SaveStateDict().ToDictionary(p => p.Key, p => p.Value.Clone());
            model.LoadStateDict(state);
            var before = GpuTransfers.Allocations;
            AgreesWithEager(model, program, x);
            Assert.Equal(before, GpuTransfers.Allocations);
        }
    }

    private static (IRProgram Program, Dictionary<string, Tensor> Weights, CompiledProgram Compiled) CompileLayers()
    {
        var program = IRProgram.Parse(Layers);
        var rng = new Random(5);
        var weights = program.Weights.ToDictionary(w => w.Name, w => Uniform(rng, (TensorType)w.Type, w.Name.StartsWith('v') ? 0.5f : -1f, 1f));
        return (program, weights, GpuCompile.Compile(program, weights, _options));
    }

    private static object[] Input(Random rng, float threshold) => [Uniform(rng, IRType.F32(1, 3, 6, 6), -1f, 1f), threshold];

    private static Tensor Uniform(Random rng, TensorType type, float low, float high)
    {
        var values = new float[type.ElementCount];
        for (var i = 0; i < values.Length; i++) values[i] = low + (high - low) * rng.NextSingle();
        return Tensor.FromArray(values, [.. type.Shape]);
    }

    private static RunResult AgreesWithTheInterpreter(IRProgram program, Dictionary<string, Tensor> weights, CompiledProgram compiled, object[] inputs)
    {
        var actual = compiled.Run(inputs);
        Assert.Null(Agreement.Compare(new Interpreter().Run(program, inputs, weights), actual, compiled.Partition));
        return actual;
    }

    private static void AgreesWithEager(ZooModel model, CompiledProgram program, Tensor x)
    {
        var eager = model.GetType().GetMethod("Forward", [typeof(Tensor)])!.Invoke(model, [x])!;
        var expected = eager is ITuple tuple ? Enumerable.Range(0, tuple.Length).Select(i => tuple[i]!).ToList() : [eager];
        var actual = program.Run([x]).Outputs;
        Assert.Equal(expected.Count, actual.Count);
        for (var k = 0; k < expected.Count; k++)
        {
            if (expected[k] is float f)
            {
                var g = Assert.IsType<float>(actual[k]);
                Assert.True(Math.Abs(f - g) <= 1e-3 * (1 + Math.Abs(f)), $"result {k}: {g}, eagerly {f}");
                continue;
            }
            if (expected[k] is not Tensor e)
            {
                Assert.Equal(expected[k], actual[k]);
                continue;
            }
            var a = Assert.IsType<Tensor>(actual[k]);
            Assert.Equal(e.Shape.ToArray(), a.Shape.ToArray());
            for (var j = 0; j < e.Length; j++)
            {
                double p = e.GetAsDouble(j), q = a.GetAsDouble(j);
                Assert.True(Math.Abs(p - q) <= 1e-3 * (1 + Math.Abs(p)), $"result {k} [{j}]: {q}, eagerly {p}");
            }
        }
    }
}

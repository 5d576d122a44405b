using DyCompile.Backends.Cpu;
using DyCompile.Backends.Tests;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.IR.Tests;
using DyCompile.Passes.Fusion;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Where an op can run besides its eager kernel.</summary>
public enum OpBackend
{
    Interpreter,
    /// <summary>Generated C# compiled with Roslyn (a lone op: its kernel, its <c>...Into</c> kernel or a loop of its own).</summary>
    Cpu,
    /// <summary>Exported to ONNX and run by ONNX Runtime.</summary>
    Onnx,
    /// <summary>The GPU backend's kernels (a rendered elementwise kernel or an op kernel), compiled for
    /// ILGPU's CPU accelerator (<see cref="Target.IlgpuCpu"/>), which runs them as a device would.</summary>
    Gpu,
}

/// <summary>Every op of the catalog on every backend, derived from the catalog itself: each sample
/// application of the op (<see cref="KernelSamples"/>, the one table of samples) runs through the
/// backend (the interpreter, the CPU backend, ONNX Runtime, and the GPU backend on ILGPU's CPU
/// accelerator) and agrees with the op's eager kernel — or the pair is on <see cref="Unsupported"/>,
/// and then the backend refuses it with the listed error. Every op with a formula also runs fused into
/// the CPU backend's vector loops, on both the Vector512 and the Vector256 path. An op added to the
/// catalog without a sample, or that a backend cannot run and that is not listed, fails here.</summary>
public class CatalogCoverageTests(CatalogCoverageFixture compiled) : IClassFixture<CatalogCoverageFixture>
{
    /// <summary>The one list of samples a backend does not support, with the start of the error it
    /// gives; a sample is named by its <see cref="KernelSamples.Case"/> text.</summary>
    public static readonly IReadOnlyList<(string Sample, OpBackend Backend, string Error)> Unsupported =
    [
        ("max_pool2d(f32[2, 5, 5]) {kernelSize = [2], stride = [2], padding = [0]}", OpBackend.Onnx, "op 'max_pool2d' of %0 cannot be exported to ONNX: pooling of unbatched"),
        ("avg_pool2d(f32[1, 5, 5]) {kernelSize = [2], stride = [2], padding = [1]}", OpBackend.Onnx, "op 'avg_pool2d' of %0 cannot be exported to ONNX: pooling of unbatched"),
        ("adaptive_max_pool2d(f32[2, 5, 5]) {outputSize = [2, 3]}", OpBackend.Onnx, "op 'adaptive_max_pool2d' of %0 cannot be exported to ONNX: pooling of unbatched"),
        ("mean(f32[]) {dims = [-1], keepdim = true}", OpBackend.Onnx, RankZero("mean")),
        ("argmax(f32[]) {dim = 0, keepdim = false}", OpBackend.Onnx, RankZero("argmax")),
        ("topk(f32[]) {k = 1, dim = 0, largest = true}", OpBackend.Onnx, RankZero("topk", "%0, %1")),
        ("transpose(f32[]) {dim0 = 0, dim1 = -1}", OpBackend.Onnx, RankZero("transpose")),
        ("squeeze(f32[]) {dims = [0]}", OpBackend.Onnx, RankZero("squeeze")),
        ("softmax(f32[]) {dim = 0}", OpBackend.Onnx, RankZero("softmax")),
    ];

    private static string RankZero(string op, string results = "%0") => $"op '{op}' of {results} cannot be exported to ONNX: a dimension of a 0-d tensor";

    public static TheoryData<string, OpBackend> Pairs()
    {
        var data = new TheoryData<string, OpBackend>();
        foreach (var op in OpCatalog.All.Where(o => o.HasKernel))
            foreach (var backend in Enum.GetValues<OpBackend>())
                data.Add(op.Name, backend);
        return data;
    }

    public static TheoryData<string> FusibleOps() => [.. CatalogCoverageFixture.FloatFusibleOps().Select(o => o.Name)];

    [Theory]
    [MemberData(nameof(Pairs))]
    public void EveryOpRunsOnEveryBackendOrIsListedUnsupported(string op, OpBackend backend)
    {
        var samples = KernelSamples.All().Where(c => c.Op == op).ToList();
        Assert.True(samples.Count > 0, $"'{op}' has no sample in KernelSamples: every catalog op needs one, so every backend is tested on it");
        foreach (var sample in samples)
        {
            var expected = KernelRegistry.All[op].Invoke(sample.Operands, sample.Attrs);
            var unsupported = Unsupported.Where(u => u.Backend == backend && u.Sample == sample.ToString()).ToList();
            if (unsupported.Count > 0)
            {
                var error = Assert.ThrowsAny<Exception>(() => Run(backend, sample));
                Assert.StartsWith(unsupported[0].Error, error.Message);
                continue;
            }
            var actual = Run(backend, sample);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
                AssertAgrees(expected[i], actual[i], backend == OpBackend.Onnx ? 1e-4 : 1e-5, $"{sample} on {backend}, result {i}");
        }
    }

    /// <summary>The GPU column runs on the device: every sample it does not list compiles for ILGPU's
    /// CPU accelerator in one batch, and a call uploads its operands and downloads its results.</summary>
    [Fact]
    public void TheGpuColumnRunsOnTheDevice()
    {
        var supported = KernelSamples.All().Select(c => c.ToString()).Distinct()
            .Count(c => !Unsupported.Any(u => u.Backend == OpBackend.Gpu && u.Sample == c));
        Assert.Equal(supported, compiled.Gpu.Count);
        var sample = KernelSamples.All().First(c => c.Op == "softmax");
        var (_, inputs) = CatalogCoverageFixture.Single(sample);
        var (uploads, downloads) = (Backends.Gpu.GpuTransfers.Uploads, Backends.Gpu.GpuTransfers.Downloads);
        compiled.Gpu[sample.ToString()].Run(inputs);
        Assert.Equal(uploads + inputs.Length, Backends.Gpu.GpuTransfers.Uploads);
        Assert.Equal(downloads + 1, Backends.Gpu.GpuTransfers.Downloads);
    }

    [Fact]
    public void TheUnsupportedListNamesOnlySamplesThatExist()
    {
        var samples = KernelSamples.All().Select(c => c.ToString()).ToHashSet();
        Assert.All(Unsupported, u => Assert.Contains(u.Sample, samples));
    }

    /// <summary>The op as the first node of a two-node loop (its result is also multiplied by its
    /// first operand) over 39 elements — two 16-lane or four 8-lane vectors and a scalar tail — with
    /// ±0, ±∞, NaN, tiny, huge and edge values among random ones; both results are stored, so both
    /// are checked against the eager kernels.</summary>
    [Theory]
    [MemberData(nameof(FusibleOps))]
    public void EveryOpWithAFormulaRunsInFusedVectorLoops(string op)
    {
        var (program, inputs, expected) = compiled.Fused[op];
        var segment = Assert.Single(program.Planned.Segments);
        var loop = Assert.Single(segment.Steps!.OfType<ElementwiseLoop>());
        Assert.Contains(loop.Nodes, n => n.Op == op);
        foreach (var allow512 in new[] { true, false })
        {
            VectorWidth.Allow512 = allow512;
            try
            {
                var actual = program.Run(inputs).Outputs;
                for (var i = 0; i < expected.Count; i++)
                    AssertAgrees(expected[i], actual[i], 1e-5, $"fused {op} ({(allow512 && VectorWidth.Use512 ? "Vector512" : "Vector256")} path), result {i}", signedZeros: true);
            }
            finally
            {
                VectorWidth.Allow512 = true;
            }
        }
    }

    private IReadOnlyList<object> Run(OpBackend backend, KernelSamples.Case sample)
    {
        var (program, inputs) = CatalogCoverageFixture.Single(sample);
        return backend switch
        {
            OpBackend.Interpreter => new Interpreter().Run(program, inputs, new Dictionary<string, Tensor>()).Outputs,
            OpBackend.Cpu => compiled.Cpu.TryGetValue(sample.ToString(), out var cpu) ? cpu.Run(inputs).Outputs : JitCompiler.Compile(program).Run(inputs).Outputs,
            OpBackend.Gpu => compiled.Gpu.TryGetValue(sample.ToString(), out var gpu) ? gpu.Run(inputs).Outputs : JitCompiler.Compile(program, null, CatalogCoverageFixture.GpuOptions).Run(inputs).Outputs,
            _ => OrtRunner.Run(program, new Dictionary<string, Tensor>(), inputs),
        };
    }

    private static void AssertAgrees(object expected, object actual, double tolerance, string what, bool signedZeros = false)
    {
        if (expected is not Tensor e)
        {
            Assert.True(Close(Convert.ToDouble(expected), Convert.ToDouble(actual), tolerance), $"{what}: {actual}, the eager kernel gives {expected}");
            return;
        }
        var a = Assert.IsType<Tensor>(actual);
        Assert.True(e.DType == a.DType && e.Shape.SequenceEqual(a.Shape), $"{what}: {a.DType.ShortName()}{Shapes.Format(a.Shape)}, the eager kernel gives {e.DType.ShortName()}{Shapes.Format(e.Shape)}");
        for (var k = 0; k < e.Length; k++)
        {
            double x = e.GetAsDouble(k), y = a.GetAsDouble(k);
            Assert.True(Close(x, y, tolerance), $"{what}: element {k} is {y}, the eager kernel gives {x}");
            if (signedZeros && x == 0 && y == 0)
                Assert.True(double.IsNegative(x) == double.IsNegative(y), $"{what}: element {k} is {y}, the eager kernel gives {x} (sign of zero)");
        }
    }

    private static bool Close(double x, double y, double tolerance) =>
        (double.IsNaN(x) && double.IsNaN(y)) || x == y || Math.Abs(x - y) <= tolerance * Math.Max(1e-1, Math.Abs(x));
}

/// <summary>Compiles every sample and every fused program once, in one Roslyn compilation each.</summary>
public sealed class CatalogCoverageFixture
{
    private const int FusedLength = 39;

    public CatalogCoverageFixture()
    {
        var samples = KernelSamples.All()
            .Where(s => !CatalogCoverageTests.Unsupported.Any(u => u.Backend == OpBackend.Cpu && u.Sample == s.ToString()))
            .GroupBy(s => s.ToString()).Select(g => g.First()).ToList();
        var programs = samples.Select(s => Single(s).Program).ToList();
        var compiledSamples = JitCompiler.CompileMany([.. programs.Select(p => (p, (IReadOnlyDictionary<string, Tensor>?)null))]);
        Cpu = samples.Select((s, i) => (s.ToString(), compiledSamples[i])).ToDictionary(p => p.Item1, p => p.Item2);
        Gpu = CompileForTheDevice();

        var fused = new List<(string Op, IRProgram Program, object[] Inputs, IReadOnlyList<object> Expected)>();
        foreach (var op in FloatFusibleOps())
        {
            var attrs = KernelSamples.All().First(c => c.Op == op.Name).Attrs;
            var operands = Enumerable.Range(0, op.Operands.Length).Select(k => FusedOperand(op.Name, k)).ToArray();
            var pb = new ProgramBuilder("fused_" + op.Name);
            var inputs = operands.Select((_, k) => pb.Input($"x{k}", IRType.F32(FusedLength))).ToArray();
            var y = pb.Entry.Ops(op.Name, inputs, attrs)[0];
            var z = pb.Entry.Mul(y, inputs[0]);
            pb.Entry.Return(y, z);
            var eager = (Tensor)KernelRegistry.All[op.Name].Invoke(operands, attrs)[0];
            fused.Add((op.Name, pb.Build(), operands, [eager, TensorOps.Mul(eager, operands[0])]));
        }
        var compiledFused = JitCompiler.CompileMany([.. fused.Select(f => (f.Program, (IReadOnlyDictionary<string, Tensor>?)null))]);
        Fused = fused.Select((f, i) => (f.Op, (compiledFused[i], f.Inputs, f.Expected))).ToDictionary(p => p.Op, p => p.Item2);
    }

    /// <summary>The ops a fused loop computes on f32 operands: a number-valued formula with no predicate operand (where's condition is bool).</summary>
    public static IEnumerable<OpDef> FloatFusibleOps() =>
        OpCatalog.All.Where(op => FusionPlanner.IsFusibleOp(op) && !Enumerable.Range(0, op.Operands.Length).Any(k => FormulaRenderer.IsPredicateOperand(op.Formula!, k)));

    /// <summary>The compiled one-op program of each sample, by the sample's text.</summary>
    public IReadOnlyDictionary<string, CompiledProgram> Cpu { get; }

    /// <summary>The samples compiled for ILGPU's CPU accelerator, by the sample's text; empty when
    /// one of them did not compile (then each compiles on its own, so the error names its sample).</summary>
    public IReadOnlyDictionary<string, CompiledProgram> Gpu { get; }

    public static readonly CompileOptions GpuOptions = new() { Target = Target.IlgpuCpu };

    /// <summary>Every sample the GPU backend is not listed as refusing, in one compilation (the
    /// kernels of all of them are one Roslyn compilation, each distinct kernel loaded once).</summary>
    private static Dictionary<string, CompiledProgram> CompileForTheDevice()
    {
        var samples = KernelSamples.All()
            .Where(s => !CatalogCoverageTests.Unsupported.Any(u => u.Backend == OpBackend.Gpu && u.Sample == s.ToString()))
            .GroupBy(s => s.ToString()).Select(g => g.First()).ToList();
        try
        {
            var compiled = JitCompiler.CompileMany([.. samples.Select(s => (Single(s).Program, (IReadOnlyDictionary<string, Tensor>?)null))], GpuOptions);
            return samples.Select((s, i) => (s.ToString(), compiled[i])).ToDictionary(p => p.Item1, p => p.Item2);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [];
        }
    }

    public IReadOnlyDictionary<string, (CompiledProgram Program, object[] Inputs, IReadOnlyList<object> Expected)> Fused { get; }

    /// <summary>A one-node program whose operands are its inputs and whose results it returns.</summary>
    internal static (IRProgram Program, object[] Inputs) Single(KernelSamples.Case sample)
    {
        var pb = new ProgramBuilder(sample.Op.Replace('.', '_'));
        var inputs = sample.Operands.Select((o, i) => pb.Input($"x{i}", KernelSamples.TypeOf(o))).ToArray();
        var results = pb.Entry.Ops(sample.Op, inputs, sample.Attrs);
        pb.Entry.Return([.. results]);
        return (pb.Build(), sample.Operands);
    }

    /// <summary>Edge values on every other element (so they land in the vector body and the tail),
    /// random ones in [-6, 6] between them; the second operand of a binary op sees them in another order.</summary>
    private static Tensor FusedOperand(string op, int operand)
    {
        float[] special = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-30f, -1e-30f, 1e-8f, 30f, -30f,
            1f, -1f, 0.5f, -0.5f, 3f, -3f, 20f, 21f, -88f, 100f];
        var random = new Random(op.GetHashCode(StringComparison.Ordinal) & 0x7fff ^ operand);
        var values = new float[FusedLength];
        for (var i = 0; i < values.Length; i++)
            values[i] = i % 2 == 0 ? special[(i / 2 + operand * 7) % special.Length] : (float)(random.NextDouble() * 12 - 6);
        return Tensor.FromArray(values, FusedLength);
    }
}

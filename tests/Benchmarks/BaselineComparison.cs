using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;

namespace DyCompile.Benchmarks;

/// <summary>`--ab BASELINE.dll "case;…" [rounds]`: kernels of this build's runtime against those of
/// another build of DyCompile.Runtime.dll (a baseline commit built elsewhere), both loaded into one
/// process and run in alternating rounds. A case is a convolution
/// <c>ci,co,side,k,stride[,batch[,dw]]</c> (padding k / 2, bias and ReLU), <c>gelu:rows,cols</c>,
/// <c>softmax:rows,cols</c> or <c>layernorm:rows,cols</c> (both over the last dim).</summary>
/// <remarks>
/// On the shared machines a process keeps the clock and cache state it starts with, so two
/// processes timed one after the other can differ by 15–30 % on identical code; only kernels
/// timed side by side in one process compare. Each runtime gets its own load context (so the two
/// builds' static state, weight caches and worker threads stay apart), and the order within a
/// round flips every round: the copy loaded second ran 2–8 % slower than the first on identical
/// builds when always timed second.
/// </remarks>
internal static class BaselineComparison
{
    private const string Usage = "usage: --ab BASELINE/DyCompile.Runtime.dll \"ci,co,side,k,stride[,batch[,dw]];gelu:rows,cols;softmax:rows,cols;layernorm:rows,cols;…\" [rounds]";

    public static void Run(string[] args)
    {
        if (args.Length < 3) throw new UsageError(Usage);
        var baselinePath = Path.GetFullPath(args[1]);
        if (!File.Exists(baselinePath)) throw new UsageError($"--ab {args[1]}: no such file");
        var cases = args[2].Split(';', StringSplitOptions.RemoveEmptyEntries).Select(KernelCase.Parse).ToArray();
        var rounds = args.Length > 3 ? UsageError.PositiveInt("rounds", args[3]) : 9;
        var runtimes = new[] { Runtime.Load("baseline", baselinePath), Runtime.Load("this build", typeof(DyCompile.Runtime.Tensor).Assembly.Location) };

        Console.WriteLine($"baseline {baselinePath} against this build; medians of {rounds} rounds, the order flipped each round; " +
            $"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine();
        Console.WriteLine("| kernel | baseline (ms) | this build (ms) | baseline / this | max abs difference |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var random = new Random(1);
        foreach (var kernel in cases)
        {
            var seed = random.Next();
            var calls = runtimes.Select(r => r.Prepare(kernel, seed)).ToArray();
            var difference = calls[0].MaxDifference(calls[1]);
            var reps = Math.Max(1, (int)(1e9 / kernel.Work));
            var times = new[] { new List<double>(), new List<double>() };
            for (var round = 0; round < rounds; round++)
                foreach (var side in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
                {
                    var clock = Stopwatch.StartNew();
                    for (var i = 0; i < reps; i++) calls[side].Invoke();
                    times[side].Add(clock.Elapsed.TotalMilliseconds / reps);
                }
            var medians = times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {kernel} | {medians[0]:F3} | {medians[1]:F3} | {medians[0] / medians[1]:F2}× | {difference:G2} |"));
        }
    }

    private abstract record KernelCase
    {
        /// <summary>Floating-point operations (or elements) of one call, to size the rounds.</summary>
        public abstract double Work { get; }

        public static KernelCase Parse(string text)
        {
            var colon = text.IndexOf(':');
            if (colon < 0) return ConvShape.Parse(text);
            var kind = text[..colon].Trim();
            var dims = text[(colon + 1)..].Split(',').Select(p => UsageError.PositiveInt($"--ab {kind}", p.Trim())).ToArray();
            if (dims.Length != 2) throw new UsageError($"--ab case {text}: expected {kind}:rows,cols");
            return kind switch
            {
                "gelu" => new RowsCase("gelu", dims[0], dims[1]),
                "softmax" => new RowsCase("softmax", dims[0], dims[1]),
                "layernorm" => new RowsCase("layernorm", dims[0], dims[1]),
                _ => throw new UsageError($"--ab case {text}: the kinds are a convolution shape, gelu:, softmax: and layernorm:"),
            };
        }
    }

    /// <summary>One convolution: input channels, output channels, square side, square kernel,
    /// stride, batch, and whether it is depthwise (groups = channels); padding k / 2.</summary>
    private sealed record ConvShape(int In, int Out, int Side, int Kernel, int Stride, int Batch, bool Depthwise) : KernelCase
    {
        public static new ConvShape Parse(string text)
        {
            var parts = text.Split(',').Select(p => UsageError.PositiveInt("--ab shape", p.Trim())).ToArray();
            if (parts.Length is < 5 or > 7) throw new UsageError($"--ab shape {text}: expected ci,co,side,k,stride[,batch[,dw]]");
            var depthwise = parts.Length > 6 && parts[6] == 1;
            if (depthwise && parts[0] != parts[1]) throw new UsageError($"--ab shape {text}: a depthwise convolution has as many outputs as inputs");
            return new ConvShape(parts[0], parts[1], parts[2], parts[3], parts[4], parts.Length > 5 ? parts[5] : 1, depthwise);
        }

        public int Groups => Depthwise ? In : 1;

        public int OutSide => (Side + 2 * (Kernel / 2) - Kernel) / Stride + 1;

        public override double Work => 2.0 * Batch * Out * (In / Groups) * Kernel * Kernel * OutSide * OutSide;

        public override string ToString() =>
            $"{(Depthwise ? "dw " : "")}{Kernel}×{Kernel} {In} → {Out}{(Stride > 1 ? $" s{Stride}" : "")} at {Side}², batch {Batch}";
    }

    /// <summary>GELU, softmax or layer normalization (over the last dim) of a rows × cols tensor.</summary>
    private sealed record RowsCase(string Op, int Rows, int Cols) : KernelCase
    {
        // An elementwise pass costs about what 50 flops of a convolution do, for sizing the rounds.
        public override double Work => 50.0 * Rows * Cols;

        public override string ToString() => $"{Op} {Rows} × {Cols}";
    }

    /// <summary>One build of DyCompile.Runtime in its own load context, reached by reflection
    /// (the two builds' types are distinct).</summary>
    private sealed class Runtime
    {
        private readonly MethodInfo _fromArray;
        private readonly MethodInfo _convolution;
        private readonly MethodInfo _gelu;
        private readonly MethodInfo _softmax;
        private readonly MethodInfo _layerNorm;
        private readonly PropertyInfo _storage;
        private readonly object _auto;

        private Runtime(Assembly assembly)
        {
            var tensor = assembly.GetType("DyCompile.Runtime.Tensor", throwOnError: true)!;
            _fromArray = tensor.GetMethod("FromArray", [typeof(float[]), typeof(int[])]) ?? throw Missing("Tensor.FromArray(float[], int[])");
            _storage = tensor.GetProperty("Storage") ?? throw Missing("Tensor.Storage");
            var ops = assembly.GetType("DyCompile.Runtime.TensorOps", throwOnError: true)!;
            _convolution = ops.GetMethod("Conv2dFusedWith", BindingFlags.NonPublic | BindingFlags.Static) ?? throw Missing("TensorOps.Conv2dFusedWith");
            _gelu = ops.GetMethod("GeluInto") ?? throw Missing("TensorOps.GeluInto");
            _softmax = ops.GetMethod("SoftmaxInto") ?? throw Missing("TensorOps.SoftmaxInto");
            _layerNorm = ops.GetMethod("LayerNormInto") ?? throw Missing("TensorOps.LayerNormInto");
            _auto = Enum.Parse(assembly.GetType("DyCompile.Runtime.ConvAlgorithm", throwOnError: true)!, "Auto");
        }

        private static UsageError Missing(string member) => new($"the baseline has no {member}");

        public static Runtime Load(string name, string path)
        {
            try
            {
                return new(new AssemblyLoadContext(name).LoadFromAssemblyPath(path));
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or TypeLoadException)
            {
                throw new UsageError($"--ab {path}: not a build of DyCompile.Runtime.dll ({e.Message})");
            }
        }

        /// <summary>The case's kernel (a convolution on the chosen kernel, on every core), with
        /// inputs drawn from <paramref name="seed"/> (the same for both builds).</summary>
        public Call Prepare(KernelCase kernel, int seed)
        {
            var random = new Random(seed);
            float[] Draw(int count, float scale) => Enumerable.Range(0, count).Select(_ => ((float)random.NextDouble() - 0.5f) * scale).ToArray();
            object Tensor(float[] data, params int[] shape) => _fromArray.Invoke(null, [data, shape])!;
            object output;
            Action invoke;
            switch (kernel)
            {
                case ConvShape s:
                    output = Tensor(new float[s.Batch * s.Out * s.OutSide * s.OutSide], s.Batch, s.Out, s.OutSide, s.OutSide);
                    object?[] arguments =
                    [
                        Tensor(Draw(s.Batch * s.In * s.Side * s.Side, 1), s.Batch, s.In, s.Side, s.Side),
                        Tensor(Draw(s.Out * (s.In / s.Groups) * s.Kernel * s.Kernel, 1), s.Out, s.In / s.Groups, s.Kernel, s.Kernel),
                        Tensor(Draw(s.Out, 1), s.Out), null, true, new[] { s.Stride }, new[] { s.Kernel / 2 }, new[] { 1 }, s.Groups, output, _auto,
                        Environment.ProcessorCount,
                    ];
                    invoke = () => _convolution.Invoke(null, arguments);
                    break;
                case RowsCase { Op: "gelu" } g:
                    output = Tensor(new float[g.Rows * g.Cols], g.Rows, g.Cols);
                    var geluInput = Tensor(Draw(g.Rows * g.Cols, 6), g.Rows, g.Cols);
                    invoke = () => _gelu.Invoke(null, [geluInput, output]);
                    break;
                case RowsCase { Op: "layernorm" } n:
                    output = Tensor(new float[n.Rows * n.Cols], n.Rows, n.Cols);
                    object?[] normArguments = [Tensor(Draw(n.Rows * n.Cols, 4), n.Rows, n.Cols), Tensor(Draw(n.Cols, 2), n.Cols), Tensor(Draw(n.Cols, 1), n.Cols), 1e-5f, output];
                    invoke = () => _layerNorm.Invoke(null, normArguments);
                    break;
                case RowsCase r:
                    output = Tensor(new float[r.Rows * r.Cols], r.Rows, r.Cols);
                    var scores = Tensor(Draw(r.Rows * r.Cols, 8), r.Rows, r.Cols);
                    invoke = () => _softmax.Invoke(null, [scores, -1, output]);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(kernel));
            }
            var call = new Call(invoke, () => (float[])_storage.GetValue(output)!);
            try
            {
                call.Invoke();
            }
            catch (Exception e) when (e is TargetParameterCountException or ArgumentException)
            {
                throw new UsageError($"this build's and the baseline's {kernel} take different arguments ({e.Message})");
            }
            for (var i = 0; i < 2; i++) call.Invoke();
            return call;
        }
    }

    private sealed record Call(Action Invoke, Func<float[]> Output)
    {
        public double MaxDifference(Call other) => Output().Zip(other.Output(), (a, b) => (double)Math.Abs(a - b)).DefaultIfEmpty(0).Max();
    }
}

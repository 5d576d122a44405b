using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;

namespace DyCompile.Benchmarks;

/// <summary>`--conv-ab BASELINE.dll "ci,co,side,k,stride[,batch[,dw]];…" [rounds]`: the convolutions
/// of this build's runtime against those of another build of DyCompile.Runtime.dll (a baseline
/// commit built elsewhere), both loaded into one process and run in alternating rounds.</summary>
/// <remarks>
/// On the shared machines a process keeps the clock and cache state it starts with, so two
/// processes timed one after the other can differ by 15–30 % on identical code; only kernels
/// timed side by side in one process compare. Each runtime gets its own load context (so the two
/// builds' static state, weight caches and worker threads stay apart), and the order within a
/// round flips every round: the copy loaded second ran 2–8 % slower than the first on identical
/// builds when always timed second.
/// </remarks>
internal static class ConvAgainstBaseline
{
    public static void Run(string[] args)
    {
        if (args.Length < 3)
            throw new UsageError("usage: --conv-ab BASELINE/DyCompile.Runtime.dll \"ci,co,side,k,stride[,batch[,dw]];…\" [rounds]");
        var baselinePath = Path.GetFullPath(args[1]);
        if (!File.Exists(baselinePath)) throw new UsageError($"--conv-ab {args[1]}: no such file");
        var shapes = args[2].Split(';', StringSplitOptions.RemoveEmptyEntries).Select(ConvShape.Parse).ToArray();
        var rounds = args.Length > 3 ? UsageError.PositiveInt("rounds", args[3]) : 9;
        var runtimes = new[] { Runtime.Load("baseline", baselinePath), Runtime.Load("this build", typeof(DyCompile.Runtime.Tensor).Assembly.Location) };

        Console.WriteLine($"baseline {baselinePath} against this build; medians of {rounds} rounds, the order flipped each round; " +
            $"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine();
        Console.WriteLine("| convolution | baseline (ms) | this build (ms) | baseline / this | max abs difference |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var random = new Random(1);
        foreach (var shape in shapes)
        {
            var seed = random.Next();
            var calls = runtimes.Select(r => r.Prepare(shape, seed)).ToArray();
            var difference = calls[0].MaxDifference(calls[1]);
            var reps = Math.Max(1, (int)(1e9 / shape.Flops));
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
                $"| {shape} | {medians[0]:F3} | {medians[1]:F3} | {medians[0] / medians[1]:F2}× | {difference:G2} |"));
        }
    }

    /// <summary>One convolution: input channels, output channels, square side, square kernel,
    /// stride, batch, and whether it is depthwise (groups = channels); padding k / 2.</summary>
    private sealed record ConvShape(int In, int Out, int Side, int Kernel, int Stride, int Batch, bool Depthwise)
    {
        public static ConvShape Parse(string text)
        {
            var parts = text.Split(',').Select(p => UsageError.PositiveInt("--conv-ab shape", p.Trim())).ToArray();
            if (parts.Length is < 5 or > 7) throw new UsageError($"--conv-ab shape {text}: expected ci,co,side,k,stride[,batch[,dw]]");
            var depthwise = parts.Length > 6 && parts[6] == 1;
            if (depthwise && parts[0] != parts[1]) throw new UsageError($"--conv-ab shape {text}: a depthwise convolution has as many outputs as inputs");
            return new ConvShape(parts[0], parts[1], parts[2], parts[3], parts[4], parts.Length > 5 ? parts[5] : 1, depthwise);
        }

        public int Groups => Depthwise ? In : 1;

        public int OutSide => (Side + 2 * (Kernel / 2) - Kernel) / Stride + 1;

        public double Flops => 2.0 * Batch * Out * (In / Groups) * Kernel * Kernel * OutSide * OutSide;

        public override string ToString() =>
            $"{(Depthwise ? "dw " : "")}{Kernel}×{Kernel} {In} → {Out}{(Stride > 1 ? $" s{Stride}" : "")} at {Side}², batch {Batch}";
    }

    /// <summary>One build of DyCompile.Runtime in its own load context, reached by reflection
    /// (the two builds' types are distinct).</summary>
    private sealed class Runtime
    {
        private readonly MethodInfo _fromArray;
        private readonly MethodInfo _convolution;
        private readonly PropertyInfo _storage;
        private readonly object _auto;

        private Runtime(Assembly assembly)
        {
            var tensor = assembly.GetType("DyCompile.Runtime.Tensor", throwOnError: true)!;
            _fromArray = tensor.GetMethod("FromArray", [typeof(float[]), typeof(int[])]) ?? throw new UsageError("the baseline has no Tensor.FromArray(float[], int[])");
            _storage = tensor.GetProperty("Storage") ?? throw new UsageError("the baseline has no Tensor.Storage");
            _convolution = assembly.GetType("DyCompile.Runtime.TensorOps", throwOnError: true)!
                .GetMethod("Conv2dFusedWith", BindingFlags.NonPublic | BindingFlags.Static) ?? throw new UsageError("the baseline has no TensorOps.Conv2dFusedWith");
            _auto = Enum.Parse(assembly.GetType("DyCompile.Runtime.ConvAlgorithm", throwOnError: true)!, "Auto");
        }

        public static Runtime Load(string name, string path)
        {
            try
            {
                return new(new AssemblyLoadContext(name).LoadFromAssemblyPath(path));
            }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or TypeLoadException)
            {
                throw new UsageError($"--conv-ab {path}: not a build of DyCompile.Runtime.dll ({e.Message})");
            }
        }

        /// <summary>The shape's convolution with bias and ReLU on the chosen kernel, on every core,
        /// with inputs drawn from <paramref name="seed"/> (the same for both builds).</summary>
        public Call Prepare(ConvShape s, int seed)
        {
            var random = new Random(seed);
            float[] Draw(int count) => Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
            object Tensor(float[] data, params int[] shape) => _fromArray.Invoke(null, [data, shape])!;
            var output = Tensor(new float[s.Batch * s.Out * s.OutSide * s.OutSide], s.Batch, s.Out, s.OutSide, s.OutSide);
            object?[] arguments =
            [
                Tensor(Draw(s.Batch * s.In * s.Side * s.Side), s.Batch, s.In, s.Side, s.Side),
                Tensor(Draw(s.Out * (s.In / s.Groups) * s.Kernel * s.Kernel), s.Out, s.In / s.Groups, s.Kernel, s.Kernel),
                Tensor(Draw(s.Out), s.Out), null, true, new[] { s.Stride }, new[] { s.Kernel / 2 }, new[] { 1 }, s.Groups, output, _auto,
                Environment.ProcessorCount,
            ];
            var call = new Call(() => _convolution.Invoke(null, arguments), () => (float[])_storage.GetValue(output)!);
            try
            {
                call.Invoke();
            }
            catch (Exception e) when (e is TargetParameterCountException or ArgumentException)
            {
                throw new UsageError($"this build's and the baseline's TensorOps.Conv2dFusedWith take different arguments ({e.Message})");
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

using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using DyCompile.Benchmarks;
using DyCompile.Runtime;
using System.Diagnostics;

// `--quick` times the GEMM, the ResNet conv, the e-graph workloads and the optimizer with a
// stopwatch (seconds, for tuning); anything else goes to BenchmarkDotNet with GFLOP/s, % of peak
// and e-graph columns added. `--compiled` compares small dynamic models run eagerly and compiled;
// `--zoo` the zoo models eagerly, compiled and in ONNX Runtime (tests/Benchmarks/Zoo);
// `--kernels [filter] [--batch N]` the zoo's dense layers one by one against ONNX Runtime;
// `--concurrency` the calls per second of one compiled program shared by several threads;
// `--egg [runs]` egg's own e-graph workloads with egg's counts (EggWorkloads);
// `--ab BASELINE.dll "cases"` this build's convolutions, GELU and softmax against another build's, in one process;
// `--pointwise-layouts [batch]` MobileNet's pointwise layers over NCHW against a GEMM over NHWC.
try
{
    if (RunMode(args)) return;
}
catch (UsageError e)
{
    Console.Error.WriteLine(e.Message);
    Environment.Exit(2);
}

Console.WriteLine($"FP32 peak: {MachinePeak.Describe()}; /proc/cpuinfo clock: {MachinePeak.NominalClockGHz?.ToString("F3") ?? "none"} GHz");
var config = DefaultConfig.Instance.AddColumn(
    StatisticColumn.Min, new FlopsColumn(FlopsMeasure.Mean), new FlopsColumn(FlopsMeasure.Best), new FlopsColumn(FlopsMeasure.BestPercentOfPeak),
    new EGraphColumn(EGraphMeasure.NodesAdded), new EGraphColumn(EGraphMeasure.NodesPerSecond), new EGraphColumn(EGraphMeasure.RebuildShare));
BenchmarkSwitcher.FromAssembly(typeof(MachinePeak).Assembly).Run(args, config);

// One of the modes above; false when the arguments name none of them.
static bool RunMode(string[] args)
{
    if (args.Length > 0 && args[0] == "--compiled")
    {
        DyCompile.Benchmarks.Compiled.CompiledVsEager.Run();
        return true;
    }
    if (args.Length > 0 && args[0] == "--concurrency")
    {
        DyCompile.Benchmarks.Compiled.ConcurrencyThroughput.Run(args);
        return true;
    }
    if (args.Length > 0 && args[0] == "--zoo")
    {
        DyCompile.Benchmarks.Zoo.ZooBenchmark.Run(args);
        return true;
    }
    if (args.Length > 0 && args[0] == "--kernels")
    {
        DyCompile.Benchmarks.Zoo.KernelsVersusOrt.Run(args);
        return true;
    }
    if (args.Length > 0 && args[0] == "--egg")
    {
        EggWorkloads.Report(args.Length > 1 ? UsageError.PositiveInt("--egg", args[1]) : 5);
        return true;
    }
    if (args.Length > 0 && args[0] == "--ab")
    {
        BaselineComparison.Run(args);
        return true;
    }
    if (args.Length > 0 && args[0] == "--pointwise-layouts")
    {
        PointwiseLayouts.Run(args);
        return true;
    }
    if (args.Length > 0 && args[0] == "--quick")
    {
        QuickTimings.Run(args.Length > 1 ? args[1] : "");
        return true;
    }
    return false;
}

internal static class QuickTimings
{
    /// <summary>Times every case whose name contains <paramref name="filter"/>.</summary>
    public static void Run(string filter)
    {
        Console.WriteLine($"FP32 peak: {MachinePeak.Describe()}; /proc/cpuinfo clock: {MachinePeak.NominalClockGHz?.ToString("F3") ?? "none"} GHz");
        _filter = filter;
        foreach (var size in new[] { 256, 512, 1024 })
        {
            var bench = new GemmBenchmarks { Size = size };
            bench.Setup();
            Report($"sgemm {size}", bench.Flops(""), bench.Sgemm);
        }
        {
            var a = new float[64 * 576]; var b = new float[576 * 3136]; var c = new float[64 * 3136];
            Report("gemm 64x3136x576", 2.0 * 64 * 3136 * 576, () => Gemm.Sgemm(false, false, 64, 3136, 576, a, 576, b, 3136, c, 3136));
        }
        // The transformer's linear layers (x · Wᵀ): B packed on every call against B packed once.
        foreach (var (m, n, k) in new[] { (128, 256, 256), (128, 1024, 256), (128, 256, 1024), (24, 256, 256) })
        {
            var x = new float[m * k]; var w = new float[n * k]; var y = new float[m * n];
            for (var i = 0; i < w.Length; i++) w[i] = (i % 17) * 0.01f;
            var packed = GemmPackedB.Pack(w, k, transB: true, k, n);
            Report($"linear {m}x{n}x{k} per-call pack", 2.0 * m * n * k, () => Gemm.Sgemm(false, true, m, n, k, x, k, w, k, y, n));
            Report($"linear {m}x{n}x{k} prepacked", 2.0 * m * n * k, () => Gemm.Sgemm(packed, m, x, k, y, n));
        }
        {
            // The attention products: 4 heads of [128, 64] × [64, 128], one after another and as a batch.
            var q = new float[4 * 128 * 64]; var kt = new float[4 * 64 * 128]; var s = new float[4 * 128 * 128];
            var offsets = new[] { 0, 8192, 16384, 24576 };
            Report("attention 4x128x128x64 looped", 2.0 * 4 * 128 * 128 * 64, () =>
            {
                for (var h = 0; h < 4; h++)
                    Gemm.Sgemm(false, false, 128, 128, 64, q.AsSpan(h * 8192, 8192), 64, kt.AsSpan(h * 8192, 8192), 128, s.AsSpan(h * 16384, 16384), 128);
            });
            Report("attention 4x128x128x64 batch", 2.0 * 4 * 128 * 128 * 64, () => Gemm.SgemmBatch(q, offsets, kt, offsets, s, 128, 128, 64));
        }
        var conv = new ConvBenchmarks();
        conv.Setup();
        Report("conv 3x3 64->64 56x56", conv.Flops(""), () => conv.ResNetConv3x3());
        // Each zoo layer on the im2col + GEMM kernel, on the direct kernel, on the pointwise kernel
        // (1×1 layers it covers), and as conv2d chooses.
        foreach (var layer in ConvLayer.Zoo)
        {
            string[] names = [$"conv gemm   {layer.Name}", $"conv direct {layer.Name}", $"conv pw     {layer.Name}", $"conv auto   {layer.Name}", $"conv 1core  {layer.Name}", $"conv cvec   {layer.Name}"];
            if (!names.Any(name => name.Contains(_filter, StringComparison.OrdinalIgnoreCase))) continue;
            var run = new ConvLayerRun(layer);
            Report(names[0], layer.Flops, run.Im2ColGemm);
            Report(names[1], layer.Flops, run.Direct);
            if (run.IsPointwise) Report(names[2], layer.Flops, run.Pointwise);
            Report(names[3], layer.Flops, run.Auto);
            Report(names[4], layer.Flops, run.DirectOneCore);
            Report(names[5], layer.Flops, run.ChannelVector);
        }
        foreach (var workload in Enum.GetValues<BlowUpWorkload>())
        {
            foreach (var symbols in new[] { 5, 6, 7 })
            {
                ReportEGraph(workload, symbols);
            }
        }
        foreach (var graph in Enum.GetValues<SampleGraph>())
        {
            ReportOptimizer(graph);
        }
    }

    /// <summary>
    /// The e-graph code runs for tens of calls before the JIT swaps in its optimized tier, and a
    /// case that takes a second per run would be timed on unoptimized code: run the engine and the
    /// optimizer for a few seconds first (once), then give the background compiler time to finish.
    /// </summary>
    private static void WarmUpTieredCode()
    {
        if (_warmedUp) return;
        _warmedUp = true;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < 2) ArithmeticBlowUp.Run(BlowUpWorkload.Sum, 5);
        ArithmeticBlowUp.Run(BlowUpWorkload.Distribute, 5);
        foreach (var graph in Enum.GetValues<SampleGraph>())
        {
            var bench = new OptimizerBenchmarks { Graph = graph };
            bench.Setup();
            for (var i = 0; i < 40; i++) bench.Optimize();
        }
        Thread.Sleep(500);
    }

    /// <summary>Best wall and best CPU time of the runs made in about a second (at least three), the
    /// e-nodes/s they give, and the rebuild share averaged over the runs.</summary>
    private static void ReportEGraph(BlowUpWorkload workload, int symbols)
    {
        var name = $"egraph {workload} {symbols}";
        if (!name.Contains(_filter, StringComparison.OrdinalIgnoreCase)) return;
        WarmUpTieredCode();
        ArithmeticBlowUp.Run(workload, symbols);
        var runs = new List<BlowUpResult>();
        var sw = Stopwatch.StartNew();
        while (runs.Count < 3 || sw.Elapsed.TotalSeconds < 1) runs.Add(ArithmeticBlowUp.Run(workload, symbols));
        var best = runs.MinBy(r => r.Total)!;
        var bestCpu = runs.MinBy(r => r.Cpu)!;
        Console.WriteLine($"{name,-24} {best.Total.TotalMilliseconds,8:F1} ms {best.NodesAdded,6} e-nodes {best.NodesPerSecond,10:N0} e-nodes/s" +
            $" | {bestCpu.Cpu.TotalMilliseconds,8:F1} CPU-ms {bestCpu.NodesPerCpuSecond,10:N0} e-nodes/CPU-s" +
            $" | rebuild {100 * runs.Average(r => r.RebuildShare),5:F1}% | {best.Iterations} iterations, {best.Stop}, {runs.Count} runs");
    }

    /// <summary>Best of five 200 ms rounds of <see cref="DyCompile.Passes.Optimization.GraphOptimizer.Optimize"/> (wall and CPU time per call), with its report.</summary>
    private static void ReportOptimizer(SampleGraph graph)
    {
        var name = $"optimize {graph}";
        if (!name.Contains(_filter, StringComparison.OrdinalIgnoreCase)) return;
        WarmUpTieredCode();
        var bench = new OptimizerBenchmarks { Graph = graph };
        bench.Setup();
        var report = bench.Optimize().Report;
        var best = double.MaxValue;
        var bestCpu = double.MaxValue;
        var process = Process.GetCurrentProcess();
        for (var round = 0; round < 5; round++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var reps = 0;
            while (sw.Elapsed.TotalMilliseconds < 200) { bench.Optimize(); reps++; }
            best = Math.Min(best, sw.Elapsed.TotalSeconds / reps);
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu0).TotalSeconds / reps);
        }
        Console.WriteLine($"{name,-24} {best * 1e3,8:F3} ms | {bestCpu * 1e3,8:F3} CPU-ms | {report}");
    }

    private static string _filter = "";
    private static bool _warmedUp;

    private static void Report(string name, double flops, Action action)
    {
        if (!name.Contains(_filter, StringComparison.OrdinalIgnoreCase)) return;
        for (var i = 0; i < 3; i++) action();
        var best = double.MaxValue;
        var bestCpu = double.MaxValue;
        var process = Process.GetCurrentProcess();
        for (var round = 0; round < 5; round++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var reps = 0;
            while (sw.Elapsed.TotalMilliseconds < 200) { action(); reps++; }
            best = Math.Min(best, sw.Elapsed.TotalSeconds / reps);
            process.Refresh();
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu0).TotalSeconds / reps);
        }
        var gflops = flops / best / 1e9;
        // CPU time is less disturbed than wall time when other processes share the cores:
        // flops per CPU-second against one core's peak is the kernels' own efficiency.
        var perCore = flops / bestCpu / 1e9;
        var corePeak = MachinePeak.GFlops / Environment.ProcessorCount;
        Console.WriteLine($"{name,-34} {best * 1e3,8:F3} ms {gflops,7:F1} GFLOP/s {100 * gflops / MachinePeak.GFlops,5:F1}% of peak" +
            $" | {bestCpu * 1e3,8:F3} CPU-ms {perCore,6:F1} GFLOP/CPU-s {100 * perCore / corePeak,5:F1}% of a core");
    }
}

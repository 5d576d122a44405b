using System.Diagnostics;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using DyCompile.Benchmarks;
using DyCompile.Runtime;

// `--quick` times the GEMM and the ResNet conv with a stopwatch (seconds, for tuning);
// anything else goes to BenchmarkDotNet with GFLOP/s and % of peak columns added.
if (args.Length > 0 && args[0] == "--quick")
{
    QuickTimings.Run(args.Length > 1 ? args[1] : "");
    return;
}

Console.WriteLine($"FP32 peak: {MachinePeak.Describe()}; /proc/cpuinfo clock: {MachinePeak.NominalClockGHz?.ToString("F3") ?? "none"} GHz");
var config = DefaultConfig.Instance.AddColumn(
    StatisticColumn.Min, new FlopsColumn(FlopsMeasure.Mean), new FlopsColumn(FlopsMeasure.Best), new FlopsColumn(FlopsMeasure.BestPercentOfPeak));
BenchmarkSwitcher.FromAssembly(typeof(MachinePeak).Assembly).Run(args, config);

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
        var conv = new ConvBenchmarks();
        conv.Setup();
        Report("conv 3x3 64->64 56x56", conv.Flops(""), () => conv.ResNetConv3x3());
    }

    private static string _filter = "";

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
        Console.WriteLine($"{name,-24} {best * 1e3,8:F3} ms {gflops,7:F1} GFLOP/s {100 * gflops / MachinePeak.GFlops,5:F1}% of peak" +
            $" | {bestCpu * 1e3,8:F3} CPU-ms {perCore,6:F1} GFLOP/CPU-s {100 * perCore / corePeak,5:F1}% of a core");
    }
}

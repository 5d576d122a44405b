using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using DyCompile.Benchmarks;
using DyCompile.Runtime;

// `--quick` times the GEMM and the ResNet conv with a stopwatch (seconds, for tuning);
// anything else goes to BenchmarkDotNet with GFLOP/s and % of peak columns added.
if (args.Length > 0 && args[0] == "--quick")
{
    QuickTimings.Run();
    return;
}

Console.WriteLine($"FP32 peak: {MachinePeak.Describe()}");
var config = DefaultConfig.Instance.AddColumn(new FlopsColumn(false), new FlopsColumn(true));
BenchmarkSwitcher.FromAssembly(typeof(MachinePeak).Assembly).Run(args, config);

internal static class QuickTimings
{
    public static void Run()
    {
        Console.WriteLine($"FP32 peak: {MachinePeak.Describe()}");
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

    private static void Report(string name, double flops, Action action)
    {
        for (var i = 0; i < 3; i++) action();
        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            var reps = 0;
            while (sw.Elapsed.TotalMilliseconds < 200) { action(); reps++; }
            best = Math.Min(best, sw.Elapsed.TotalSeconds / reps);
        }
        var gflops = flops / best / 1e9;
        Console.WriteLine($"{name,-24} {best * 1e3,8:F3} ms {gflops,7:F1} GFLOP/s {100 * gflops / MachinePeak.GFlops,5:F1}% of peak");
    }
}

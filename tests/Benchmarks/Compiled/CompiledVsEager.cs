using System.Diagnostics;
using System.Reflection;
using DyCompile.Compiler;
using DyCompile.Runtime;
using DyCompile.Samples.QuickStart;

namespace DyCompile.Benchmarks.Compiled;

/// <summary>`--compiled`: small dynamic models run eagerly and compiled, at batch 1 and 16:
/// median latency of one call, the ratio, and bytes allocated per call on the calling thread.
/// Every input takes the longest path through its model (no early exit), so both sides do the
/// same, largest amount of work.</summary>
internal static class CompiledVsEager
{
    private const int Width = 32;
    private const int Warmup = 100;
    private const int Calls = 200;
    private const int Rounds = 10;
    private const int MaxWarmupChunks = 10;
    private static readonly TimeSpan WarmupChunk = TimeSpan.FromSeconds(1);

    private sealed record Case(string Name, object Model, string Resource, Func<Tensor, object[]> Inputs, Action<object[]> Eager);

    public static void Run()
    {
        var cases = new[]
        {
            new Case("early exit (4 blocks, refine 3)", new EarlyExitModel(new Random(7), Width), "EarlyExitModel.cs",
                x => [x, 2f, 3], null!),
            new Case("until confident (limit 4)", new UntilConfidentModel(new Random(7), Width), "DynamicModels.cs",
                x => [x, 2f, 4], null!),
            new Case("layer skip (6 layers)", new LayerSkipModel(new Random(7), Width), "DynamicModels.cs",
                x => [x, 1000f], null!),
        };
        cases[0] = cases[0] with { Eager = a => ((EarlyExitModel)cases[0].Model).Forward((Tensor)a[0], (float)a[1], (int)a[2]) };
        cases[1] = cases[1] with { Eager = a => ((UntilConfidentModel)cases[1].Model).Forward((Tensor)a[0], (float)a[1], (int)a[2]) };
        cases[2] = cases[2] with { Eager = a => ((LayerSkipModel)cases[2].Model).Forward((Tensor)a[0], (float)a[1]) };

        Console.WriteLine("| model | batch | eager median (us) | compiled median (us) | eager/compiled | eager bytes/call | compiled bytes/call |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var c in cases)
        {
            var source = ReadResource(c.Resource);
            foreach (var batch in new[] { 1, 16 })
            {
                var inputs = c.Inputs(RandomInput(new Random(batch), batch));
                var dump = Environment.GetEnvironmentVariable("DYCOMPILE_DUMP");
                var options = dump is null ? null : new DyCompilerOptions { Jit = new() { DumpDirectory = Path.Combine(dump, $"b{batch}") } };
                var compilation = DyCompiler.Compile(c.Model, source, ModelLowering.TypesOf(inputs), options);
                if (!compilation.Succeeded)
                {
                    Console.WriteLine($"| {c.Name} | {batch} | did not compile: {string.Join("; ", compilation.Diagnostics)} |");
                    continue;
                }
                var host = compilation.Program!.OpenSession();
                var outputs = new object[compilation.Program.Program.ResultTypes.Length];
                var ((eagerUs, eagerBytes), (compiledUs, compiledBytes)) = MeasureSideBySide(() => c.Eager(inputs), () => host.RunInto(inputs, outputs));
                Console.WriteLine($"| {c.Name} | {batch} | {eagerUs:F1} | {compiledUs:F1} | {eagerUs / compiledUs:F2}x | {eagerBytes:N0} | {compiledBytes:N0} |");
            }
        }
    }

    /// <summary>Both sides warmed up until their timings settle (tiered JIT promotes a method only
    /// after 30 calls and a quiet period of about 100 ms, longer on a busy machine, so a fixed
    /// number of warm-up calls can leave either side measured at tier 0), then timed in
    /// alternating rounds so that the load of a shared machine falls on both alike.</summary>
    private static ((double MedianUs, long BytesPerCall) First, (double MedianUs, long BytesPerCall) Second) MeasureSideBySide(Action first, Action second)
    {
        double[] previous = [double.MaxValue, double.MaxValue];
        for (var chunk = 0; chunk < MaxWarmupChunks; chunk++)
        {
            var warm = Stopwatch.StartNew();
            for (var i = 0; i < Warmup || warm.Elapsed < WarmupChunk; i++)
            {
                first();
                second();
            }
            double[] now = [QuickMedian(first), QuickMedian(second)];
            var settled = chunk > 0 && now[0] > 0.9 * previous[0] && now[1] > 0.9 * previous[1];
            previous = now;
            if (settled) break;
        }
        var bytes = new[] { Bytes(first), Bytes(second) };
        var times = new[] { new List<double>(), new List<double>() };
        var calls = new[] { first, second };
        for (var round = 0; round < Rounds; round++)
            for (var side = 0; side < 2; side++)
                for (var i = 0; i < Calls / Rounds; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    calls[side]();
                    times[side].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }
        double Median(List<double> t) => t.Order().ElementAt(t.Count / 2);
        return ((Median(times[0]), bytes[0]), (Median(times[1]), bytes[1]));
    }

    private static double QuickMedian(Action call)
    {
        var times = new double[51];
        for (var i = 0; i < times.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            call();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        return times[25];
    }

    private static long Bytes(Action call)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++) call();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / Calls;
    }

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static Tensor RandomInput(Random rng, int batch)
    {
        var data = new float[batch * Width];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1) * 0.5f;
        return Tensor.FromArray(data, batch, Width);
    }
}

using System.Diagnostics;
using System.Reflection;
using DyCompile.Compiler;
using DyCompile.Compiler.Jit;
using DyCompile.Runtime;

namespace DyCompile.Benchmarks.Compiled;

/// <summary>`--concurrency [seconds]`: calls per second of one compiled program shared by 1 and 2
/// threads (and 4 where the machine has the cores), through <c>Run</c>, <c>RunInto</c>, a
/// session per thread, and — for comparison — one session behind a lock (what serialising every
/// call would give). Each figure is the best of three timed spells after a one-second warm-up.</summary>
internal static class ConcurrencyThroughput
{
    private const int Width = 32;

    public static void Run(string[] args)
    {
        var seconds = args.Length > 1 && double.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 1.0;
        var model = new UntilConfidentModel(new Random(7), Width);
        var x = RandomInput(new Random(1), 1);
        object[] inputs = [x, 2f, 4];
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("DynamicModels.cs")!;
        var source = new StreamReader(stream).ReadToEnd();
        var compilation = DyCompiler.Compile(model, source, ModelLowering.TypesOf(inputs));
        using var program = compilation.Program ?? throw new InvalidOperationException(string.Join("\n", compilation.Diagnostics));
        var counts = new[] { 1, 2, 4 }.Where(n => n <= Math.Max(2, Environment.ProcessorCount)).ToArray();
        var gate = new object();
        var shared = program.OpenSession();
        var entries = new (string Name, Func<Action> PerThread)[]
        {
            ("Run (results copied)", () => () => program.Run(inputs)),
            ("RunInto (results copied)", () => { var o = new object[2]; return () => program.RunInto(inputs, o); }),
            ("session per thread (no copy)", () => { var session = program.OpenSession(); var o = new object[2]; return () => session.RunInto(inputs, o); }),
            ("one session under a lock", () => { var o = new object[2]; return () => { lock (gate) shared.RunInto(inputs, o); }; }),
        };
        Console.WriteLine($"until confident (limit 4), batch 1, {Environment.ProcessorCount} cores; calls/s, best of 3 spells of {seconds:F1} s");
        Console.WriteLine($"| entry point | {string.Join(" | ", counts.Select(n => $"{n} thread(s)"))} |");
        Console.WriteLine($"|---|{string.Concat(counts.Select(_ => "---:|"))}");
        foreach (var (name, perThread) in entries)
            Console.WriteLine($"| {name} | {string.Join(" | ", counts.Select(n => $"{Measure(n, perThread, seconds):N0}"))} |");
    }

    private static double Measure(int threads, Func<Action> perThread, double seconds)
    {
        var calls = Enumerable.Range(0, threads).Select(_ => perThread()).ToArray();
        // Tiered JIT promotes a method after 30 calls and a quiet spell of about 100 ms: warm up
        // for a second so every spell runs optimized code.
        foreach (var call in calls)
            for (var warm = Stopwatch.StartNew(); warm.Elapsed < TimeSpan.FromSeconds(1.0 / threads);) call();
        var best = 0.0;
        for (var spell = 0; spell < 3; spell++)
        {
            var total = 0L;
            var stop = false;
            using var start = new Barrier(threads + 1);
            var workers = calls.Select(call => new Thread(() =>
            {
                var n = 0L;
                start.SignalAndWait();
                while (!Volatile.Read(ref stop)) { call(); n++; }
                Interlocked.Add(ref total, n);
            })).ToList();
            workers.ForEach(w => w.Start());
            start.SignalAndWait();
            var watch = Stopwatch.StartNew();
            Thread.Sleep(TimeSpan.FromSeconds(seconds));
            Volatile.Write(ref stop, true);
            workers.ForEach(w => w.Join());
            best = Math.Max(best, total / watch.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static Tensor RandomInput(Random rng, int batch)
    {
        var data = new float[batch * Width];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1) * 0.5f;
        return Tensor.FromArray(data, batch, Width);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using DyCompile.Backends.Cpu;
using DyCompile.Backends.Onnx;
using DyCompile.Benchmarks.Compiled;
using DyCompile.Compiler;
using DyCompile.Compiler.Jit;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using DyCompile.Zoo;

namespace DyCompile.Benchmarks.Zoo;

/// <summary>`--zoo [--model NAME] [--batch 1,16] [--runs N] [--write FILE] [--profile DIR]`: every zoo model at
/// batch 1 and batch 16 (16 inputs stacked along the first dimension), run eagerly (its C#
/// <c>Forward</c>), compiled by DyCompile for the CPU, and exported to ONNX and run in ONNX Runtime,
/// on the same inputs; median latency, the ratios, compile and session-creation times, and whether
/// the three agree on every call. `--profile DIR` also writes each model's
/// generated code and pass dumps and an ONNX Runtime profile (summed per operator type on the
/// console) under DIR/model, and times the runtime kernels per IR op on the same inputs
/// (<see cref="KernelProfile"/>); profiling slows ONNX Runtime down, so such a run is not for the table.</summary>
internal static class ZooBenchmark
{
    /// <summary>Inputs per model; they are picked from up to twice as many draws so that as many
    /// different paths as possible are taken.</summary>
    private const int InputCount = 6;

    /// <summary>Inputs per model at batch sizes above 1: each already holds many samples, and a
    /// warm-up pass over each is long.</summary>
    private const int BatchedInputCount = 3;

    /// <summary>Timed calls per engine default to about this many seconds of eager work per model and batch size.</summary>
    private const double TimedSecondsPerModel = 20;

    /// <summary>The fewest timed calls at batch 1, and at larger batches (whose calls are long enough
    /// that fewer give a stable median).</summary>
    private const int MinCallsBatch1 = 24;
    private const int MinCallsBatched = 6;

    private const double WarmupSeconds = 2;
    private const int MaxWarmupRounds = 40;

    private const int MaxCalls = 240;

    private const string OrtEngineName = "ONNX Runtime";

    /// <summary>Untimed pause before each engine's turn (see the timed loop).</summary>
    private const int EngineGapMilliseconds = 3;

    /// <summary>Untimed pause after ONNX Runtime's turn: its intra-op pool threads keep spinning
    /// for a few hundred milliseconds after a call (its default <c>allow_spinning</c>), taking the
    /// second core from whatever runs next in the process; 100 ms measured too short, 400 ms enough.</summary>
    internal const int OrtSpinDownMilliseconds = 500;

    public static void Run(string[] args)
    {
        string? filter = null, write = null, profile = null;
        int? runs = null;
        int[] batches = [1, 16];
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--model" when i + 1 < args.Length: filter = args[++i]; break;
                case "--runs" when i + 1 < args.Length: runs = UsageError.PositiveInt("--runs", args[++i]); break;
                case "--write" when i + 1 < args.Length: write = args[++i]; break;
                case "--profile" when i + 1 < args.Length: profile = args[++i]; break;
                case "--batch" when i + 1 < args.Length: batches = ParseBatches(args[++i]); break;
                default: throw new UsageError($"--zoo: unknown argument '{args[i]}' (expected --model NAME, --batch 1,16, --runs N, --write FILE, --profile DIR)");
            }
        }
        var cases = ZooCase.All.Where(c => filter is null
            || c.Key.Equals(filter, StringComparison.OrdinalIgnoreCase)
            || c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToList();
        if (cases.Count == 0) throw new UsageError($"--model {filter}: no such model; the models are {string.Join(", ", ZooCase.All.Select(c => c.Key))}");

        // Checked before the run, not after twenty minutes of it.
        if (write is not null && ZooReport.CannotWrite(write) is { } problem)
        {
            Console.Error.WriteLine($"--write {write}: {problem}");
            Environment.ExitCode = 2;
            return;
        }

        var machine = new MachineState();
        Console.WriteLine($"{machine.Cpu}, {Environment.ProcessorCount} cores; load average {machine.LoadAtStart}");
        Console.WriteLine($"instruction sets: {machine.Isa}");
        WarmUpCompiler();
        var rows = new List<ZooRow>();
        foreach (var c in cases)
        {
            foreach (var batch in batches)
            {
                Console.WriteLine($"-- {c.Name} ({c.Size}), batch {batch}");
                ZooRow row;
                try
                {
                    row = Measure(c, batch, runs, profile is null ? null : Path.GetFullPath(Path.Combine(profile, batch == 1 ? c.Key : $"{c.Key}-b{batch}")));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // One model's failure (its eager forward throwing, say) should not cost the others' rows.
                    row = new ZooRow(c, batch) { CompileFailure = $"benchmark failed: {e.GetType().Name}" };
                    row.Notes.Add($"benchmark failed: {e.GetType().Name}: {(e as TargetInvocationException)?.InnerException?.Message ?? e.Message}");
                }
                rows.Add(row);
                Console.WriteLine(ZooReport.ProgressLine(row));
            }
        }
        machine.Finish();
        var command = "dotnet run -c Release --project tests/Benchmarks -- " + string.Join(" ", args);
        var report = ZooReport.Markdown(rows, batches, machine, command);
        Console.WriteLine();
        Console.WriteLine(report);
        if (write is not null)
        {
            try
            {
                ZooReport.WriteInto(write, report);
                Console.WriteLine($"wrote the zoo section of {write}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"--write {write}: {e.Message} (the table is printed above)");
                Environment.ExitCode = 2;
            }
        }
    }

    private static int[] ParseBatches(string text)
    {
        var sizes = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b > 0 ? b
                : throw new UsageError($"--batch {text}: expected positive batch sizes separated by commas, e.g. 1,16"))
            .Distinct().ToArray();
        return sizes.Length > 0 ? sizes : throw new UsageError("--batch: no batch size given");
    }

    /// <summary>One input of <paramref name="batch"/> samples stacked along the first dimension (the
    /// models' inputs are [1, …]).</summary>
    private static Tensor SampleBatch(ZooModel model, Random random, int batch) =>
        batch == 1 ? model.SampleInput(random) : TensorOps.Concat(Enumerable.Range(0, batch).Select(_ => model.SampleInput(random)).ToArray(), 0);

    /// <summary>The first lowering and the first Roslyn build in a process pay for loading and
    /// jitting the compiler itself; do both once, untimed, so the first model's compile time is its own.</summary>
    private static void WarmUpCompiler()
    {
        ZooSource.Compilation.GetDiagnostics();
        using var stream = typeof(ZooBenchmark).Assembly.GetManifestResourceStream("DynamicModels.cs")!;
        using var reader = new StreamReader(stream);
        var source = reader.ReadToEnd();
        var x = Tensor.Zeros(1, 32);
        DyCompiler.Compile(new UntilConfidentModel(new Random(1)), source, ModelLowering.TypesOf([x, 0.5f, 2]));
    }

    private static ZooRow Measure(ZooCase c, int batch, int? runs, string? profile)
    {
        if (profile is not null) Directory.CreateDirectory(profile);
        byte[]? exported = null;
        var model = c.Create();
        var row = new ZooRow(c, batch);
        var forward = model.GetType().GetMethod("Forward", [typeof(Tensor)]);
        if (forward is null)
        {
            row.Notes.Add("no Forward(Tensor) method: not benchmarked");
            return row;
        }

        // Inputs: prefer draws that take a path not seen yet.
        var random = new Random(1);
        var candidates = new List<(Tensor Input, string Path)>();
        var eagerSeconds = new List<double>();
        var chosen = new List<(Tensor Input, string Path)>();
        var inputCount = batch == 1 ? InputCount : BatchedInputCount;
        for (var draw = 0; draw < 2 * inputCount && chosen.Count < inputCount; draw++)
        {
            var input = SampleBatch(model, random, batch);
            var start = Stopwatch.GetTimestamp();
            string path;
            try
            {
                path = model.Run(input).Path;
            }
            catch (TensorOpException e) when (batch > 1)
            {
                // Control flow on a per-sample value (a gate's item(), one routing decision per
                // token row): the model's own Forward is defined for one sample per call.
                row.CompileFailure = "one sample per call";
                row.Notes.Add($"the model's eager Forward takes one sample per call (its control flow reads a per-sample value), so batch {batch} is not defined for it: {e.Message}");
                return row;
            }
            eagerSeconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            if (chosen.All(p => p.Path != path)) chosen.Add((input, path));
            else candidates.Add((input, path));
        }
        chosen.AddRange(candidates.Take(inputCount - chosen.Count));
        row.Paths.AddRange(chosen.Select(p => p.Path));
        var inputs = chosen.Select(p => new object[] { p.Input }).ToArray();
        var expected = inputs.Select(i => OutputValues.FromEager(forward.Invoke(model, i))).ToArray();

        var engines = new List<Engine>
        {
            new("eager", i =>
            {
                var start = Stopwatch.GetTimestamp();
                var result = forward.Invoke(model, inputs[i]);
                var us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                return (us, OutputValues.FromEager(result));
            }),
        };

        var typeName = model.GetType().FullName!;
        var lowerStart = Stopwatch.GetTimestamp();
        var lowered = ModelLowering.Lower(ZooSource.Compilation, typeName, "Forward", model,
            new LoweringOptions { InputTypes = ModelLowering.TypesOf(inputs[0]) });
        row.LowerSeconds = Stopwatch.GetElapsedTime(lowerStart).TotalSeconds;
        // DYC0004 (the model class lacks [DyCompile], which only the build step needs) says nothing here.
        foreach (var warning in lowered.Warnings.Where(w => w.Id != "DYC0004")) row.Notes.Add($"lowering warning {warning.Id}: {warning.Message}");
        if (!lowered.Succeeded)
        {
            var error = lowered.Errors.FirstOrDefault();
            row.CompileFailure = error is null ? "does not lower (no diagnostic)" : $"does not lower: {error.Id} {Shorten(error.Message, 100)}";
            if (error is not null) row.Notes.Add($"does not lower: {error}");
        }
        else
        {
            var program = lowered.Program!;
            try
            {
                var jitStart = Stopwatch.GetTimestamp();
                var compiled = JitCompiler.Compile(program, lowered.Weights, new CompileOptions { RecordPath = false, DumpDirectory = profile }, lowered.Callbacks);
                row.JitSeconds = Stopwatch.GetElapsedTime(jitStart).TotalSeconds;
                var host = compiled.OpenSession();
                var outputs = new object[program.ResultTypes.Length];
                engines.Add(new("DyCompile", i =>
                {
                    var start = Stopwatch.GetTimestamp();
                    host.RunInto(inputs[i], outputs);
                    var us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    return (us, OutputValues.FromCompiled(outputs));
                }));
            }
            catch (Exception e)
            {
                row.CompileFailure = $"does not compile: {e.GetType().Name} {Shorten(e.Message, 100)}";
                row.Notes.Add($"does not compile: {e}");
            }

            try
            {
                var onnx = OnnxExporter.ExportBytes(program, lowered.Weights, lowered.Callbacks);
                var sessionStart = Stopwatch.GetTimestamp();
                exported = onnx;
                var ort = new OrtModel(onnx, program.Inputs.Select(p => p.Name).ToList());
                row.SessionSeconds = Stopwatch.GetElapsedTime(sessionStart).TotalSeconds;
                row.Disposables.Add(ort);
                var ortInputs = inputs.Select(OrtModel.ToOrt).ToArray();
                engines.Add(new(OrtEngineName, i =>
                {
                    var start = Stopwatch.GetTimestamp();
                    using var results = ort.Run(ortInputs[i]);
                    var us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                    return (us, OutputValues.FromOrt(results));
                }));
            }
            catch (Exception e)
            {
                row.OrtFailure = $"{e.GetType().Name} {Shorten(e.Message, 100)}";
                row.Notes.Add($"ONNX export / session failed: {e.Message}");
            }
        }

        // Warm-up: every engine runs every input once (checked like the timed calls), then keeps going
        // for at least WarmupSeconds: .NET only swaps in optimized code for a method after 30 calls and
        // a quiet spell of about 100 ms, and unoptimized Vector256 code is many times slower.
        foreach (var engine in engines.ToList())
        {
            var start = Stopwatch.GetTimestamp();
            for (var round = 0; round < MaxWarmupRounds && engine.Failure is null; round++)
            {
                for (var i = 0; i < inputs.Length && engine.Failure is null; i++) Call(engine, i, expected[i], timed: false);
                if (Stopwatch.GetElapsedTime(start).TotalSeconds >= WarmupSeconds) break;
            }
            if (engine.Failure is not null) row.Notes.Add($"{engine.Name} failed: {engine.Failure}");
        }
        Thread.Sleep(200);
        engines.RemoveAll(e => e.Failure is not null);

        eagerSeconds.Sort();
        var perCall = eagerSeconds[eagerSeconds.Count / 2];
        var calls = runs ?? Math.Clamp((int)Math.Ceiling(TimedSecondsPerModel / (Math.Max(1, engines.Count) * perCall)),
            batch == 1 ? MinCallsBatch1 : MinCallsBatched, MaxCalls);
        var rounds = (calls + inputs.Length - 1) / inputs.Length;
        string? previous = null;
        for (var round = 0; round < rounds; round++)
        {
            // Each engine in turn runs every input once; the order rotates from round to round, so
            // load changes on the shared machine fall on all engines alike and none always runs
            // right after another's cache footprint. ONNX Runtime's pool threads, and our GEMM
            // workers, keep spinning for a while after a call: the pause before each turn lets
            // them park, so no engine's timed calls share the two cores with the previous engine's
            // spinning threads (ONNX Runtime's spin for hundreds of milliseconds).
            for (var k = 0; k < engines.Count; k++)
            {
                var engine = engines[(k + round) % engines.Count];
                if (engine.Failure is not null) continue;
                // The engine that ran last: the previous round's last one for the first turn of a round.
                Thread.Sleep(previous == OrtEngineName ? OrtSpinDownMilliseconds : EngineGapMilliseconds);
                previous = engine.Name;
                for (var i = 0; i < inputs.Length && engine.Failure is null; i++) Call(engine, i, expected[i], timed: true);
            }
        }
        foreach (var engine in engines)
        {
            if (engine.Failure is not null) row.Notes.Add($"{engine.Name} failed: {engine.Failure}");
            row.Engines[engine.Name] = engine;
        }
        if (profile is not null && lowered.Succeeded) Profile(lowered.Program!, lowered.Weights, lowered.Callbacks, exported, inputs, forward, model, profile);
        foreach (var d in row.Disposables) d.Dispose();
        row.Disposables.Clear();
        return row;
    }

    /// <summary>`--profile`: ONNX Runtime in a second, profiling session and the runtime kernels op by op,
    /// in alternating rounds so that both see the same load; then the eager forward on the same inputs.</summary>
    private static void Profile(IR.IRProgram program, IReadOnlyDictionary<string, Tensor> weights, Runtime.Compiled.HostCallbacks callbacks, byte[]? onnx, object[][] inputs, MethodInfo forward, ZooModel model, string directory)
    {
        const int Rounds = 4;
        var kernels = new KernelProfile();
        OrtModel? ort = null;
        Microsoft.ML.OnnxRuntime.OrtValue[][] ortInputs = [];
        if (onnx is not null)
        {
            File.WriteAllBytes(Path.Combine(directory, "model.onnx"), onnx);
            ort = new OrtModel(onnx, program.Inputs.Select(p => p.Name).ToList(), Path.Combine(directory, "ort"));
            ortInputs = inputs.Select(OrtModel.ToOrt).ToArray();
        }
        // The compiled program with every step timed: the fused steps as they run.
        var registered = StepProfile.Counters.Count;
        var profiled = JitCompiler.Compile(program, weights, new CompileOptions { RecordPath = false, ProfileSteps = true }, callbacks);
        var steps = StepProfile.Counters.Skip(registered).ToList();
        foreach (var input in inputs) profiled.Run(input);
        StepProfile.Reset();
        for (var round = 0; round < Rounds; round++)
        {
            // ONNX Runtime's turn first, then a pause while its pool threads spin down (see
            // OrtSpinDownMilliseconds): run right after it, our steps shared the two cores with
            // them and measured up to twice their time.
            if (ort is not null)
            {
                for (var i = 0; i < inputs.Length; i++) ort.Run(ortInputs[i]).Dispose();
                Thread.Sleep(OrtSpinDownMilliseconds);
            }
            for (var i = 0; i < inputs.Length; i++)
            {
                kernels.Run(program, inputs[i], weights);
                profiled.Run(inputs[i]);
            }
        }
        if (ort is not null)
        {
            Console.WriteLine(OrtProfile.Summarize(ort.EndProfiling(), Rounds * inputs.Length));
            ort.Dispose();
        }
        Console.WriteLine(kernels.Summarize());
        Console.WriteLine(CompiledStepSummary(steps, Rounds * inputs.Length));
        var start = Stopwatch.GetTimestamp();
        for (var round = 0; round < Rounds; round++)
            foreach (var input in inputs) forward.Invoke(model, input);
        Console.WriteLine($"eager Forward on the same inputs right after: {Stopwatch.GetElapsedTime(start).TotalMilliseconds / (Rounds * inputs.Length):F2} ms per run");
    }

    /// <summary>The compiled steps summed by label (op or fused ops, and shape), the costliest first.</summary>
    private static string CompiledStepSummary(IReadOnlyList<StepCounter> steps, int runs)
    {
        var byLabel = steps.GroupBy(s => s.Label)
            .Select(g => (Label: g.Key, Ms: g.Sum(s => s.Milliseconds), Calls: g.Sum(s => s.Calls)))
            .OrderByDescending(g => g.Ms).ToList();
        var total = byLabel.Sum(g => g.Ms);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"compiled steps, per op and shape over {runs} runs ({total / runs:F2} ms per run in steps):");
        foreach (var (label, ms, calls) in byLabel.Take(20))
            text.AppendLine(CultureInfo.InvariantCulture, $"  {label,-48} {ms / runs,8:F3} ms/run {100 * ms / total,5:F1}%  ({calls} calls)");
        return text.ToString();
    }

    private static void Call(Engine engine, int input, List<OutputValue> expected, bool timed)
    {
        try
        {
            var (us, values) = engine.Run(input);
            if (timed)
            {
                engine.Times.Add(us);
                engine.TimedInputs.Add(input);
            }
            engine.Calls++;
            var problem = OutputValues.Compare(expected, values, out var pathDiffers, out var error);
            engine.MaxError = Math.Max(engine.MaxError, error);
            if (problem is null) return;
            if (pathDiffers) engine.PathDisagreements++;
            else engine.ValueDisagreements++;
            engine.FirstProblem ??= $"input {input}: {problem}";
        }
        catch (Exception e)
        {
            engine.Failure = $"{e.GetType().Name}: {Shorten((e as TargetInvocationException)?.InnerException?.Message ?? e.Message)}";
        }
    }

    /// <summary>One line (a markdown table cell) of at most <paramref name="length"/> characters.</summary>
    internal static string Shorten(string message, int length = 300)
    {
        var line = message.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);
        return line.Length <= length ? line : line[..(length - 3)] + "...";
    }
}

/// <summary>One way of running a model: a call on input i returns its wall time (µs) and its outputs.</summary>
internal sealed class Engine(string name, Func<int, (double Us, List<OutputValue> Values)> run)
{
    public string Name { get; } = name;

    public Func<int, (double Us, List<OutputValue> Values)> Run { get; } = run;

    public List<double> Times { get; } = [];

    /// <summary>The input of each entry of <see cref="Times"/>.</summary>
    public List<int> TimedInputs { get; } = [];

    public int Calls { get; set; }

    public int PathDisagreements { get; set; }

    public int ValueDisagreements { get; set; }

    public double MaxError { get; set; }

    public string? FirstProblem { get; set; }

    public string? Failure { get; set; }

    public double? MedianMs => Median(Times);

    /// <summary>The median over the calls on the inputs <paramref name="inputs"/> selects.</summary>
    public double? MedianMsOf(Func<int, bool> inputs) => Median(Times.Where((_, k) => inputs(TimedInputs[k])));

    private static double? Median(IEnumerable<double> times)
    {
        var sorted = times.Order().ToArray();
        return sorted.Length == 0 ? null : sorted[sorted.Length / 2] / 1000;
    }
}

/// <summary>What was measured for one model at one batch size.</summary>
internal sealed class ZooRow(ZooCase c, int batch)
{
    public ZooCase Case { get; } = c;

    public int Batch { get; } = batch;

    public List<string> Paths { get; } = [];

    public Dictionary<string, Engine> Engines { get; } = [];

    public double LowerSeconds { get; set; }

    public double? JitSeconds { get; set; }

    public double? SessionSeconds { get; set; }

    public string? CompileFailure { get; set; }

    public string? OrtFailure { get; set; }

    public List<string> Notes { get; } = [];

    public List<IDisposable> Disposables { get; } = [];
}

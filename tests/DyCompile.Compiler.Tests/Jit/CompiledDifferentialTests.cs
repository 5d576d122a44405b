using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;
using Xunit.Abstractions;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>The frontend's random dynamic C# models (nested if / while / do / for, break, continue,
/// early return on tensor values), lowered and compiled together in one Roslyn compilation, must
/// agree with the models run eagerly: the same outputs within float tolerance and the same trace
/// (the path and loop-trip counts), and their host blocks must follow the interpreter's path.
/// 120 models by default (Roslyn building their code dominates the run time);
/// DYCOMPILE_COMPILED_DIFFERENTIAL_PROGRAMS=1000 runs a long version.</summary>
public class CompiledDifferentialTests(ITestOutputHelper output)
{
    private const int DefaultPrograms = 120;

    // Index of the float threshold input `t` in DynamicModelGenerator.Signature.
    private const int ThresholdInput = 2;

    private static readonly object[][] InputSets =
    [
        [ModelHarness.Random(1, 4), ModelHarness.Random(2, 4), 0.25f, 2],
        [ModelHarness.Random(3, 4), ModelHarness.Random(4, 4), -0.5f, 0],
        [Tensor.Full(0.8f, 4), ModelHarness.Random(5, 4), 1f, 3],
        [ModelHarness.Random(6, 4), Tensor.Full(-0.3f, 4), 0f, 1],
        [ModelHarness.Random(7, 4), ModelHarness.Random(8, 4), 0.6f, 3],
    ];

    [Fact]
    public void CompiledGeneratedModelsAgreeWithEagerExecution()
    {
        var programs = int.TryParse(Environment.GetEnvironmentVariable("DYCOMPILE_COMPILED_DIFFERENTIAL_PROGRAMS"), out var n) && n > 0 ? n : DefaultPrograms;
        var bodies = DynamicModelGenerator.Sample(programs, 20261128);
        var source = ModelHarness.Usings + string.Concat(bodies.Select((b, i) => DynamicModelGenerator.ModelSource($"C{i}", b)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var models = ModelHarness.Compile(source);
                var instances = new List<object>();
        var lowered = new List<LoweringResult>();
        var failures = new List<string>();
        for (var i = 0; i < bodies.Length; i++)
        {
            var model = models.Create($"C{i}", 11);
            var result = ModelHarness.Lower(models, $"C{i}", "Forward", model, InputSets[0]);
            // The frontend's own differential test owns lowering failures; here a model that does
            // not lower is a failure too, since every generated construct is supported.
            if (!result.Succeeded) failures.Add($"C{i}: lowering failed: {string.Join("; ", result.Diagnostics)}");
            instances.Add(model);
            lowered.Add(result);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)));

        var compiled = JitCompiler.CompileMany(lowered.Select(l => (l.Program!, (IReadOnlyDictionary<string, Tensor>?)l.Weights, l.Callbacks)).ToList());
        var compileMs = clock.ElapsedMilliseconds;
        var interpreter = new Interpreter();
        int runs = 0, nearThreshold = 0, multiPath = 0;
        for (var i = 0; i < compiled.Count; i++)
        {
            var traces = new HashSet<int>();
            foreach (var inputs in InputSets)
            {
                runs++;
                var eager = ModelHarness.Flatten(ModelHarness.RunEager(instances[i], "Forward", inputs));
                var actual = compiled[i].Run(inputs);
                var reference = interpreter.Run(lowered[i].Program!, inputs, lowered[i].Weights);
                traces.Add((int)eager[1]);
                var problem = CompareWithEager(eager, actual.Outputs)
                    ?? Agreement.Compare(reference, actual, compiled[i].Partition);
                if (problem is null) continue;
                if (Agreement.SitsOnAThreshold(inputs, ThresholdInput, nudged => ModelHarness.Flatten(ModelHarness.RunEager(instances[i], "Forward", nudged))[1]))
                {
                    // A statistic within rounding of `t`: both decisions are correct float results.
                    nearThreshold++;
                    output.WriteLine($"C{i} (t = {inputs[ThresholdInput]}): decision within rounding of the threshold: {problem}");
                    continue;
                }
                failures.Add($"C{i} (t = {inputs[ThresholdInput]}, n = {inputs[3]}): {problem}\n{bodies[i]}");
            }
            multiPath += traces.Count > 1 ? 1 : 0;
        }
        output.WriteLine($"{compiled.Count} compiled models ({compileMs} ms to lower and build), {runs} runs, {multiPath} models took more than one path, {nearThreshold} near-threshold decision(s)");
        Assert.True(failures.Count == 0, $"{failures.Count} of {runs} compiled runs disagree with eager execution:\n" + string.Join("\n---\n", failures.Take(4)));
        Assert.True(multiPath > programs / 3, $"only {multiPath} of {programs} models took more than one path");
        Assert.True(nearThreshold <= runs / 20, $"{nearThreshold} near-threshold decisions is too many to be rounding");
    }

    /// <summary>Null when the compiled outputs (h, trace) match the eager ones, else what differs.</summary>
    private static string? CompareWithEager(IReadOnlyList<object> eager, IReadOnlyList<object> compiled)
    {
        if (!Equals(eager[1], compiled[1])) return $"trace (path and trip counts) differs: eager {eager[1]}, compiled {compiled[1]}";
        var (e, a) = ((Tensor)eager[0], (Tensor)compiled[0]);
        if (!e.Shape.SequenceEqual(a.Shape)) return $"shape {Shapes.Format(e.Shape)} vs {Shapes.Format(a.Shape)}";
        for (var k = 0; k < e.Length; k++)
        {
            double x = e.GetAsDouble(k), y = a.GetAsDouble(k);
            if (!(x.Equals(y) || Math.Abs(x - y) <= 1e-4 * (1 + Math.Max(Math.Abs(x), Math.Abs(y)))))
                return $"element {k}: eager {x}, compiled {y}";
        }
        return null;
    }
}

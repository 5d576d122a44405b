using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests;

/// <summary>Generated dynamic models run eagerly as C# and lowered through the interpreter must
/// agree on outputs and on the trace (the path and loop-trip counts). 500 programs by default;
/// DYCOMPILE_DIFFERENTIAL_PROGRAMS=10000 runs the long version (see docs/language.md).</summary>
public class DifferentialTests
{
    private const int DefaultPrograms = 500;
    private const int BatchSize = 1000;

    private static readonly object[][] InputSets =
    [
        [ModelHarness.Random(1, 4), ModelHarness.Random(2, 4), 0.25f, 2],
        [ModelHarness.Random(3, 4), ModelHarness.Random(4, 4), -0.5f, 0],
        [Tensor.Full(0.8f, 4), ModelHarness.Random(5, 4), 1f, 3],
        [ModelHarness.Random(6, 4), Tensor.Full(-0.3f, 4), 0f, 1],
    ];

    [Fact]
    public void GeneratedProgramsAgreeWithEagerExecution()
    {
        var programs = int.TryParse(Environment.GetEnvironmentVariable("DYCOMPILE_DIFFERENTIAL_PROGRAMS"), out var n) && n > 0 ? n : DefaultPrograms;
        var bodies = DynamicModelGenerator.Sample(programs, 20261127);
        var failures = new List<string>();
        var distinctTraces = 0;
        for (var start = 0; start < bodies.Length; start += BatchSize)
        {
            var batch = bodies.Skip(start).Take(BatchSize).ToArray();
            var source = ModelHarness.Usings + string.Concat(batch.Select((b, i) => DynamicModelGenerator.ModelSource($"G{start + i}", b)));
            var models = ModelHarness.Compile(source);
            for (var i = 0; i < batch.Length; i++)
            {
                var name = $"G{start + i}";
                try
                {
                    distinctTraces += CheckOne(models, name) > 1 ? 1 : 0;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    if (failures.Count < 5) failures.Add($"{name}: {e.Message}\n{batch[i]}");
                    else failures.Add(name);
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {programs} generated programs disagree:\n" + string.Join("\n---\n", failures.Take(6)));
        // The inputs must exercise the control flow, not just one path per program.
        Assert.True(distinctTraces > programs / 3, $"only {distinctTraces} of {programs} programs took more than one path");
    }

    /// <summary>Runs one generated model on every input set; returns how many distinct traces it took.</summary>
    private static int CheckOne(CompiledModels models, string name)
    {
        var model = models.Create(name, 11);
        var lowered = ModelHarness.Lower(models, name, "Forward", model, InputSets[0]);
        if (!lowered.Succeeded) throw new InvalidOperationException("lowering failed: " + string.Join("; ", lowered.Diagnostics));
        var traces = new HashSet<int>();
        foreach (var inputs in InputSets)
        {
            var expected = ModelHarness.Flatten(ModelHarness.RunEager(model, "Forward", inputs));
            var actual = ModelHarness.RunLowered(lowered, inputs).Outputs;
            ModelHarness.AssertSameValues(expected, actual);
            traces.Add((int)expected[1]);
        }
        return traces.Count;
    }

    [Fact]
    public void GeneratorIsDeterministicAndCoversTheConstructs()
    {
        var a = DynamicModelGenerator.Sample(200, 7);
        Assert.Equal(a, DynamicModelGenerator.Sample(200, 7));
        Assert.True(a.Distinct().Count() > 190, "the generator repeats itself");
        var all = string.Concat(a);
        foreach (var construct in new[] { "while (", "do\n", "for (", "break;", "continue;", "return (h, trace);", "&&", "||", " ? ", "else", ".Item()" })
            Assert.Contains(construct, all);
    }
}

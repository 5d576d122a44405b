using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Runtime;
using Xunit.Abstractions;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Randomly generated programs with loops, breaks, branches and early exits, all compiled
/// in one Roslyn compilation, run against the interpreter on random inputs.</summary>
public class RandomProgramTests(ITestOutputHelper output)
{
    private const int Programs = 16;
    private const int ArbitraryPrograms = 12;
    private const int RunsPerProgram = 10;

    [Fact]
    public void CompiledRandomProgramsAgreeWithTheInterpreter()
    {
        var programs = Enumerable.Range(0, Programs).Select(StructuredRandomPrograms.Generate)
            .Concat(Enumerable.Range(0, ArbitraryPrograms).Select(ArbitraryCfgPrograms.Generate)).ToList();
        foreach (var p in programs) Assert.Empty(Verifier.Errors(p));
        var weights = programs.Select((p, i) => RandomData.Weights(p, i)).ToList();
        var compiled = JitCompiler.CompileMany(programs.Select((p, i) => (p, (IReadOnlyDictionary<string, Tensor>?)weights[i])).ToList());
        var interpreter = new Interpreter();
        var nearThreshold = 0;
        var decisions = 0;
        for (var i = 0; i < programs.Count; i++)
        {
            for (var run = 0; run < RunsPerProgram; run++)
            {
                var inputs = RandomData.Inputs(programs[i], new Random(1000 * i + run), scale: 2f);
                if (programs[i].Inputs[^1].Name == "fuel") inputs[^1] = 1 + (run * 7 + i) % 12;
                var expected = interpreter.Run(programs[i], inputs, weights[i]);
                var actual = compiled[i].Run(inputs);
                decisions += actual.Path.Count;
                var problem = Agreement.Compare(expected, actual, compiled[i].Partition);
                if (problem is not null && problem.StartsWith("branch decisions differ", StringComparison.Ordinal) && Agreement.SitsOnAThreshold(inputs, 1, nudged => interpreter.Run(programs[i], nudged, weights[i]).Path))
                {
                    // A statistic within rounding of %t: both outcomes are correct float results.
                    nearThreshold++;
                    output.WriteLine($"@{programs[i].Name} run {run}: decision within rounding of the threshold ({problem})");
                    continue;
                }
                Assert.True(problem is null, $"@{programs[i].Name} run {run}: {problem}\n{programs[i]}");
            }
        }
        output.WriteLine($"{programs.Count} programs, {programs.Count * RunsPerProgram} runs, {decisions} host blocks entered, {nearThreshold} near-threshold decision(s)");
        var loops = compiled.Count(c => Plans.HostFlow(c).LoopHeaders.Count > 0);
        var converted = compiled.Count(c => c.Partition.Simplified.Blocks.SelectMany(b => b.Nodes).Any(n => n.Op == "where" && n.Result.Name.StartsWith("sel", StringComparison.Ordinal)));
        var shared = compiled.Count(c => c.Partition.Distinct.Count < c.Partition.Segments.Count);
        output.WriteLine($"{loops} with loops, {converted} with if-converted branches, {shared} with shared segments");
        // The generator's seeds cover each shape the compiler must handle.
        var irreducible = compiled.Count(c => !Plans.HostFlow(c).IsReducible);
        output.WriteLine($"{irreducible} irreducible");
        Assert.True(loops > 0 && converted > 0 && irreducible > 0, "the random programs no longer exercise loops, if-conversion and irreducible control flow");
        Assert.True(nearThreshold <= programs.Count * RunsPerProgram / 20, $"{nearThreshold} near-threshold decisions is too many to be rounding");
    }
}

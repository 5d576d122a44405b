using DyCompile.Runtime;
using FsCheck.Xunit;

namespace DyCompile.IR.Tests;

/// <summary>Random well-formed programs run: every kernel accepts what the catalog accepted and
/// returns exactly the declared result types (the interpreter checks each result).</summary>
public class RandomProgramRunTests
{
    private static object Sample(Random rng, IRType type) => type switch
    {
        TensorType t => Tensor.FromArray(Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray(), [.. t.Shape]),
        ScalarType { Kind: ScalarKind.Int } => rng.Next(-5, 20),
        ScalarType { Kind: ScalarKind.Float } => (float)(rng.NextDouble() * 10 - 5),
        _ => rng.Next(2) == 0,
    };

    [Property(MaxTest = 60)]
    public void RandomProgramsRunWithTheTypesTheCatalogPredicts(int seed, byte size)
    {
        var program = RandomPrograms.Generate(seed, size % 48);
        var rng = new Random(seed);
        var inputs = program.Inputs.Select(i => Sample(rng, i.Type)).ToList();
        var weights = program.Weights.ToDictionary(w => w.Name, w => (Tensor)Sample(rng, w.Type));
        RunResult run;
        try
        {
            run = new Interpreter(new InterpreterOptions { StepLimit = 3000 }).Run(program, inputs, weights);
        }
        catch (InterpreterException e) when (e.Message.StartsWith("step limit", StringComparison.Ordinal))
        {
            return; // random back edges may loop forever; the limit is the expected outcome then
        }
        Assert.Equal(program.ResultTypes.Length, run.Outputs.Count);
        Assert.Equal("entry", run.Path[0]);
        Assert.True(program.FindBlock(run.Path[^1])!.Terminator is Return);
    }
}

using DyCompile.Compiler.Jit;
using DyCompile.Compiler.Tests.Jit;
using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests;

/// <summary>The oracle of a model: it is lowered once, then run on each input set eagerly (its
/// meaning), through the interpreter (the IR's meaning) and compiled; the three must agree on every
/// output, and the interpreter and the compiled host on the blocks they entered.</summary>
public static class ThreeWay
{
    /// <summary>Lowers <paramref name="method"/> of <paramref name="type"/> (input types from the first
    /// input set unless given) and checks every input set; returns the lowering and the distinct
    /// interpreter paths taken, so a test can assert that the inputs took different paths.</summary>
    public static (LoweringResult Lowered, int Paths) Check(CompiledModels models, string type, string method, object model,
        IReadOnlyList<object[]> inputSets, IReadOnlyList<IRType?>? inputTypes = null)
    {
        var lowered = ModelLowering.Lower(models.Compilation, type, method, model,
            new LoweringOptions { InputTypes = inputTypes ?? ModelLowering.TypesOf(inputSets[0]) });
        Assert.True(lowered.Succeeded, string.Join("\n", lowered.Diagnostics));
        var compiled = JitCompiler.Compile(lowered.Program!, lowered.Weights, callbacks: lowered.Callbacks);
        var paths = new HashSet<string>();
        foreach (var inputs in inputSets)
        {
            var eager = ModelHarness.Flatten(ModelHarness.RunEager(model, method, inputs));
            var interpreted = ModelHarness.RunLowered(lowered, inputs);
            ModelHarness.AssertSameValues(eager, interpreted.Outputs);
            var run = compiled.Run([.. inputs.Select(i => i is double d ? (float)d : i)]);
            Assert.Null(Agreement.Compare(interpreted, run, compiled.Partition));
            paths.Add(string.Join(" ", interpreted.Path));
        }
        return (lowered, paths.Count);
    }
}

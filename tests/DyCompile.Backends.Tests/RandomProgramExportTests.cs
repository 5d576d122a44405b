using DyCompile.Backends.Onnx;
using DyCompile.IR;
using DyCompile.IR.Tests;
using DyCompile.Runtime;
using Xunit.Abstractions;

namespace DyCompile.Backends.Tests;

/// <summary>Random programs (branches, loops, host and tensor ops, special float constants): every
/// one that terminates under the interpreter and has structured control flow exports, and ONNX
/// Runtime computes the same results.</summary>
public class RandomProgramExportTests(ITestOutputHelper output)
{
    private static object Sample(Random rng, IRType type) => type switch
    {
        TensorType t => Tensor.FromArray(Enumerable.Range(0, (int)t.ElementCount).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray(), [.. t.Shape]),
        ScalarType { Kind: ScalarKind.Int } => rng.Next(-5, 20),
        ScalarType { Kind: ScalarKind.Float } => (float)(rng.NextDouble() * 10 - 5),
        _ => rng.Next(2) == 0,
    };

    [Fact]
    public void StructuredRandomProgramsAgree()
    {
        int compared = 0, unstructured = 0, endless = 0;
        var failures = new List<string>();
        for (var seed = 0; seed < 150; seed++)
        {
            var program = RandomPrograms.Generate(seed, seed % 48);
            var rng = new Random(seed);
            var inputs = program.Inputs.Select(i => Sample(rng, i.Type)).ToList();
            var weights = program.Weights.ToDictionary(w => w.Name, w => (Tensor)Sample(rng, w.Type));
            RunResult expected;
            try
            {
                expected = new Interpreter(new InterpreterOptions { StepLimit = 3000 }).Run(program, inputs, weights);
            }
            catch (InterpreterException)
            {
                endless++; // loops forever (step limit) or fails eagerly (to_int of a non-finite float)
                continue;
            }
            byte[] model;
            try
            {
                model = OnnxExporter.ExportBytes(program, weights);
            }
            catch (OnnxExportException e) when (e.Message.Contains("not structured", StringComparison.Ordinal))
            {
                unstructured++;
                continue;
            }
            try
            {
                var actual = OrtRunner.Run(program, weights, inputs);
                for (var i = 0; i < actual.Count; i++)
                    Agreement.AssertClose(expected.Outputs[i], actual[i], 1e-4f, $"seed {seed}, result {i}");
                compared++;
            }
            catch (Exception e)
            {
                failures.Add($"seed {seed}: {e.Message.Split('\n')[0]}");
            }
        }
        output.WriteLine($"compared {compared}, unstructured {unstructured}, endless or failing eagerly {endless}");
        foreach (var f in failures) output.WriteLine(f);
        Assert.Empty(failures);
        Assert.True(compared >= 50, $"only {compared} random programs were comparable");
    }
}

using DyCompile.Backends.Onnx;
using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Zoo.Sequence;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.ML.OnnxRuntime;

namespace DyCompile.Zoo.Tests;

/// <summary>Zoo models lowered by the C# frontend from their own source: the C# forward pass
/// eagerly, the lowered program in the interpreter, and its ONNX export in ONNX Runtime agree.
/// (ResNet-56-SDN does not lower yet: its internal classifiers call Module.Get, which the
/// frontend does not know, DYC0111.)</summary>
public class FrontendZooTests
{
    private static readonly Lazy<CSharpCompilation> _zooSource = new(() =>
    {
        var assembly = typeof(FrontendZooTests).Assembly;
        var trees = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("zoo/", StringComparison.Ordinal))
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return CSharpSyntaxTree.ParseText(reader.ReadToEnd(), new CSharpParseOptions(LanguageVersion.Latest), path: n);
            })
            .Append(CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq;", new CSharpParseOptions(LanguageVersion.Latest), path: "usings.cs"));
        // Everything this process can load, except the compiled zoo itself (its types come from source).
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).Equals("DyCompile.Zoo.dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p));
        return CSharpCompilation.Create("ZooSource", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    });

    [Fact]
    public void EarlyExitTransformerLoweredByTheFrontendAgreesEagerInterpreterAndOnnxRuntime()
    {
        var model = new EarlyExitTransformer(new EarlyExitTransformerConfig(Threshold: 0.4f, Seed: 1));
        var result = ModelLowering.Lower(_zooSource.Value, "DyCompile.Zoo.Sequence.EarlyExitTransformer", "Forward", model,
            new LoweringOptions { InputTypes = [IRType.Tensor(DType.Int64, 1, 8)], Strict = true });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var program = result.Program!;
        using var ort = new InferenceSession(OnnxExporter.ExportBytes(program, result.Weights));
        var interpreter = new Interpreter();
        var random = new Random(42);
        var exits = new HashSet<int>();
        for (var i = 0; i < 12; i++)
        {
            var ids = model.SampleInput(random);
            var (logits, exit) = model.Forward(ids);
            exits.Add(exit);

            var run = interpreter.Run(program, [ids], result.Weights);
            Assert.Equal(exit, (int)run.Outputs[1]);
            Assert.Equal(logits.Floats.ToArray(), ((Tensor)run.Outputs[0]).Floats.ToArray());

            using var input = OrtValue.CreateTensorValueFromMemory(ids.Longs.ToArray(), ids.ShapeArray().Select(d => (long)d).ToArray());
            using var options = new RunOptions();
            using var outputs = ort.Run(options, [program.Inputs[0].Name], [input], ["result0", "result1"]);
            Assert.Equal(exit, outputs[1].GetTensorDataAsSpan<int>()[0]);
            var onnx = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            var expected = logits.Floats.ToArray();
            for (var k = 0; k < expected.Length; k++)
                Assert.True(Math.Abs(expected[k] - onnx[k]) <= 1e-3f * (1 + Math.Abs(expected[k])), $"input {i}, logit {k}: {onnx[k]} from ONNX Runtime, {expected[k]} eagerly");
        }
        Assert.True(exits.Count >= 2, "every input left at the same layer");
    }
}

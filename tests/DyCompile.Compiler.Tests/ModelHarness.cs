using System.Reflection;
using System.Runtime.CompilerServices;
using DyCompile.Compiler;
using DyCompile.IR;
using DyCompile.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DyCompile.Compiler.Tests;

/// <summary>Model source compiled in memory with Roslyn against the runtime and loaded.</summary>
public sealed record CompiledModels(CSharpCompilation Compilation, Assembly Assembly)
{
    public object Create(string typeName, int seed)
    {
        var type = Assembly.GetTypes().First(t => t.Name == typeName || t.FullName == typeName);
        return type.GetConstructor([typeof(Random)]) is { } withRandom
            ? withRandom.Invoke([new Random(seed)])
            : Activator.CreateInstance(type)!;
    }
}

/// <summary>Compiles model sources, runs a forward method eagerly and through the lowered
/// program, and compares the two.</summary>
public static class ModelHarness
{
    public const string Usings = "using System;\nusing DyCompile.Runtime;\nusing DyCompile.Runtime.Nn;\n";

    private static readonly Lazy<CSharpCompilation> Empty = new(() => CSharpCompilation.Create("Models", [], ModelLowering.References.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release, allowUnsafe: true)));

    public static CompiledModels Compile(params string[] sources)
    {
        var trees = sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"model{i}.cs")).ToArray();
        var compilation = Empty.Value.WithAssemblyName("Models" + Guid.NewGuid().ToString("N")).AddSyntaxTrees(trees);
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        if (!emitted.Success)
            throw new InvalidOperationException("model source does not compile:\n" + string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Take(10)));
        return new CompiledModels(compilation, Assembly.Load(stream.ToArray()));
    }

    public static object? RunEager(object model, string method, object[] inputs)
    {
        var info = model.GetType().GetMethod(method, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)!;
        return info.Invoke(model, BindingFlags.DoNotWrapExceptions, null, inputs, null);
    }

    public static LoweringResult Lower(CompiledModels models, string type, string method, object model, object[] inputs, bool strict = false) =>
        ModelLowering.Lower(models.Compilation, type, method, model, new LoweringOptions { InputTypes = ModelLowering.TypesOf(inputs), Strict = strict });

    public static RunResult RunLowered(LoweringResult lowered, object[] inputs) =>
        new Interpreter(new InterpreterOptions { Callbacks = lowered.Callbacks }).Run(lowered.Program!, inputs.Select(i => i is double d ? (float)d : i).ToList()!, lowered.Weights);

    /// <summary>Lowers, runs both ways and asserts equal outputs; returns the program and the run.</summary>
    public static (LoweringResult Lowered, RunResult Run) Check(CompiledModels models, string type, string method, object model, params object[] inputs)
    {
        var lowered = Lower(models, type, method, model, inputs);
        Assert.True(lowered.Succeeded, string.Join("\n", lowered.Diagnostics));
        var expected = Flatten(RunEager(model, method, inputs));
        var run = RunLowered(lowered, inputs);
        AssertSameValues(expected, run.Outputs);
        return (lowered, run);
    }

    public static IReadOnlyList<object> Flatten(object? result) => result switch
    {
        null => [],
        Tensor t => [t],
        ITuple tuple => Enumerable.Range(0, tuple.Length).SelectMany(i => Flatten(tuple[i])).ToList(),
        double d => [(float)d],
        _ => [result],
    };

    public static void AssertSameValues(IReadOnlyList<object> expected, IReadOnlyList<object> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            switch (expected[i], actual[i])
            {
                case (Tensor e, Tensor a):
                    Assert.Equal(e.DType, a.DType);
                    Assert.Equal(e.Shape.ToArray(), a.Shape.ToArray());
                    for (var k = 0; k < e.Length; k++)
                    {
                        double x = e.GetAsDouble(k), y = a.GetAsDouble(k);
                        Assert.True(x.Equals(y) || Math.Abs(x - y) <= 1e-5 * Math.Max(1, Math.Abs(x)), $"output {i} element {k}: eager {x}, lowered {y}");
                    }
                    break;
                case (float e, float a):
                    Assert.True(e.Equals(a) || Math.Abs(e - a) <= 1e-5 * Math.Max(1, Math.Abs(e)), $"output {i}: eager {e}, lowered {a}");
                    break;
                default:
                    Assert.Equal(expected[i], actual[i]);
                    break;
            }
        }
    }

    /// <summary>A seeded tensor of uniform values in [-1, 1).</summary>
    public static Tensor Random(int seed, params int[] shape)
    {
        var random = new Random(seed);
        var n = shape.Aggregate(1, (a, b) => a * b);
        return Tensor.FromArray(Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), shape);
    }
}

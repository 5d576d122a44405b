using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using DyCompile.Cli;
using DyCompile.Cli.Generation;
using DyCompile.Cli.Models;
using DyCompile.Compiler;
using DyCompile.Passes.Partition;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using DyCompile.Runtime.Nn;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DyCompile.Build.Tests;

/// <summary>The generated code as the build step compiles it (into the model's own assembly,
/// here in memory): bound through <see cref="CompiledModels"/> it computes what the model
/// computes eagerly, follows the weights of the instance it is bound to, and checks its inputs.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class AheadOfTimeTests
{
    private const string DynamicBatch = """
        using DyCompile.Runtime;
        using DyCompile.Runtime.Nn;

        namespace Batch;

        [DyCompile(Inputs = ["f32[?,6]", "int"])]
        public sealed class Stack : Module
        {
            private readonly Linear _a = new(6, 6, generator: new Random(4));
            private readonly Linear _out = new(6, 2, generator: new Random(5));

            public Stack()
            {
                RegisterModule("a", _a);
                RegisterModule("out", _out);
            }

            public Tensor Forward(Tensor x, int depth)
            {
                var i = 0;
                while (i < depth)
                {
                    x = _a.Forward(x).Relu() + x;
                    i = i + 1;
                }
                return _out.Forward(x);
            }
        }
        """;

    /// <summary>Lowers every model of <paramref name="source"/>, generates their C# and compiles
    /// model and generated code into one assembly, as the second compile of the build does.</summary>
    private static (System.Reflection.Assembly Assembly, IReadOnlyList<AheadOfTimeModel> Files) BuildInMemory(string source, string name)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("dycompile-aot-").FullName, name + ".cs");
        File.WriteAllText(path, source);
        var diagnostics = new List<Compiler.Diagnostic>();
        var models = ModelPipeline.Lower(path, new ModelRequest(), new Progress(quiet: true), diagnostics);
        Assert.DoesNotContain(diagnostics, d => d.IsError);
        var files = models.Select(m => AheadOfTimeEmitter.Emit(m.Spec, m.Instance, m.Lowering, new PartitionOptions(), diagnostics)!).ToList();
        Assert.DoesNotContain(diagnostics, d => d.IsError);

        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[] { CSharpSyntaxTree.ParseText(source, parse), CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.Linq;", parse) }
            .Concat(files.Select(f => CSharpSyntaxTree.ParseText(f.Source, parse)));
        // What the generated code may reference: the framework and the runtime, nothing of the compiler.
        var references = ModelLowering.References.Value.Where(r => Path.GetFileNameWithoutExtension(r.Display) is not { } name
            || !(name.StartsWith("DyCompile.", StringComparison.Ordinal) || name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            || name == "DyCompile.Runtime");
        var compilation = CSharpCompilation.Create(name + "Compiled", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)));
        var assembly = new AssemblyLoadContext(name, isCollectible: false).LoadFromStream(new MemoryStream(image.ToArray()));
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        return (assembly, files);
    }

    private static Tensor Random(Random rng, params int[] shape)
    {
        var data = new float[shape.Aggregate(1, (a, b) => a * b)];
        for (var i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
        return Tensor.FromArray(data, shape);
    }

    private static float MaxDifference(Tensor a, Tensor b)
    {
        Assert.Equal(a.ShapeArray(), b.ShapeArray());
        return a.Floats.ToArray().Zip(b.Floats.ToArray(), (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0).Max();
    }

    [Fact]
    public void Compiled_forward_agrees_with_eager_on_both_exits()
    {
        var (assembly, _) = BuildInMemory(CommandLineTests.Model, "ExitModel");
        var type = assembly.GetType("Demo.Exit")!;
        var model = (Module)type.GetMethod("Create")!.Invoke(null, null)!;
        var eager = type.GetMethod("Forward")!;
        var forward = model.Compiled<Func<Tensor, float, (Tensor, int)>>();
        var rng = new Random(9);
        var exits = new HashSet<int>();
        for (var trial = 0; trial < 30; trial++)
        {
            var x = Random(rng, 1, 8);
            var threshold = (float)rng.NextDouble();
            var (expected, expectedExit) = ((Tensor, int))eager.Invoke(model, [x, threshold])!;
            var (actual, exit) = forward(x, threshold);
            Assert.Equal(expectedExit, exit);
            Assert.True(MaxDifference(expected, actual) <= 1e-4f);
            exits.Add(exit);
        }
        Assert.True(exits.Count >= 2, "the random inputs took one exit only");
    }

    [Fact]
    public void A_dynamic_batch_runs_at_any_batch_size_and_follows_the_instance_weights()
    {
        var (assembly, _) = BuildInMemory(DynamicBatch, "BatchModel");
        var type = assembly.GetType("Batch.Stack")!;
        var rng = new Random(3);
        var model = (Module)Activator.CreateInstance(type)!;
        var other = (Module)Activator.CreateInstance(type)!;
        // A second instance with other weights: its compiled form must use them, not the build's.
        other.LoadStateDict(other.SaveStateDict().ToDictionary(kv => kv.Key, kv => Random(rng, kv.Value.ShapeArray())));
        var eager = type.GetMethod("Forward")!;
        foreach (var instance in new[] { model, other })
        {
            var forward = instance.Compiled<Func<Tensor, int, Tensor>>();
            foreach (var batch in new[] { 1, 3, 7 })
            {
                var x = Random(rng, batch, 6);
                var expected = (Tensor)eager.Invoke(instance, [x, 2])!;
                Assert.True(MaxDifference(expected, forward(x, 2)) <= 1e-4f);
            }
        }
        var bound = model.Compiled<Func<Tensor, int, Tensor>>();
        Assert.Throws<ArgumentException>(() => bound(Random(rng, 2, 5), 1));
        Assert.Throws<InvalidOperationException>(() => model.Compiled<Func<Tensor, Tensor>>());
    }

    [Fact]
    public void The_compiled_forward_follows_a_state_dict_loaded_after_binding()
    {
        var (assembly, _) = BuildInMemory(DynamicBatch, "ReloadModel");
        var type = assembly.GetType("Batch.Stack")!;
        var rng = new Random(11);
        var model = (Module)Activator.CreateInstance(type)!;
        var eager = type.GetMethod("Forward")!;
        var forward = model.Compiled<Func<Tensor, int, Tensor>>();
        var x = Random(rng, 2, 6);
        var before = forward(x, 2);

        model.LoadStateDict(model.SaveStateDict().ToDictionary(kv => kv.Key, kv => Random(rng, kv.Value.ShapeArray())));
        var expected = (Tensor)eager.Invoke(model, [x, 2])!;
        Assert.True(MaxDifference(before, expected) > 1e-3f, "the new weights should change the result");
        Assert.True(MaxDifference(expected, forward(x, 2)) <= 1e-4f);

        // An in-place change announced with MarkModified is seen too.
        var weight = model.SaveStateDict()["out.weight"];
        weight.Floats[0] += 1f;
        weight.MarkModified();
        Assert.True(MaxDifference((Tensor)eager.Invoke(model, [x, 2])!, forward(x, 2)) <= 1e-4f);
    }

    [Fact]
    public void Concurrent_callers_of_one_compiled_forward_all_get_the_eager_answer()
    {
        var (assembly, _) = BuildInMemory(DynamicBatch, "ConcurrentModel");
        var type = assembly.GetType("Batch.Stack")!;
        var model = (Module)Activator.CreateInstance(type)!;
        var eager = type.GetMethod("Forward")!;
        var forward = model.Compiled<Func<Tensor, int, Tensor>>();
        var rng = new Random(21);
        var cases = Enumerable.Range(0, 16).Select(i => (X: Random(rng, 1 + i % 4, 6), Depth: i % 5)).ToArray();
        var expected = cases.Select(c => (Tensor)eager.Invoke(model, [c.X, c.Depth])!).ToArray();
        var wrong = 0;
        var threads = Enumerable.Range(0, 8).Select(thread => new Thread(() =>
        {
            for (var call = 0; call < 2_000; call++)
            {
                var k = (thread * 7 + call) % cases.Length;
                var result = forward(cases[k].X, cases[k].Depth);
                if (MaxDifference(expected[k], result) > 1e-4f) Interlocked.Increment(ref wrong);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(0, wrong);
    }
}

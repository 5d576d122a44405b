using System.Reflection;
using DyCompile.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DyCompile.Compiler.Tests;

/// <summary>The common path (write a module, compile it, load weights, call the result) needs two
/// usings per file: <c>DyCompile.Runtime</c> + <c>DyCompile.Runtime.Nn</c> for a model,
/// <c>DyCompile</c> + <c>DyCompile.Runtime</c> for the code that compiles and calls it.</summary>
public class CommonPathUsingsTests
{
    private const string ModelFile = """
        using DyCompile.Runtime;
        using DyCompile.Runtime.Nn;

        namespace MyApp;

        [DyCompile]
        public sealed class TwoLayers : Module
        {
            private readonly Linear _first;
            private readonly Linear _second;
            public TwoLayers(Random g)
            {
                _first = RegisterModule("first", new Linear(4, 4, generator: g));
                _second = RegisterModule("second", new Linear(4, 2, generator: g));
            }
            public Tensor Forward(Tensor x) => _second.Forward(_first.Forward(x).Tanh());
        }
        """;

    private const string AppFile = """
        using DyCompile;
        using DyCompile.Runtime;

        namespace MyApp;

        public static class App
        {
            public static (float[] Compiled, float[] Eager) Run(string modelSource, Tensor x)
            {
                var trained = new TwoLayers(new Random(1));
                var model = new TwoLayers(new Random(2));
                model.LoadStateDict(SafeTensors.Load(SafeTensors.SaveToBytes(trained.SaveStateDict())));

                var options = new DyCompilerOptions { Jit = new CompileOptions { LoopIterationLimit = 1000 } };
                DyCompilation compilation = DyCompiler.Compile(model, modelSource, ModelLowering.TypesOf([x]), options);
                if (!compilation.Succeeded) throw new DyCompileException(compilation.Diagnostics);
                CompiledProgram program = compilation.Program!;
                var forward = program.AsDelegate<Func<Tensor, Tensor>>();
                return (forward(x).ToFloatArray(), trained.Forward(x).ToFloatArray());
            }
        }
        """;

    [Fact]
    public void TheCommonPathNeedsTwoUsingsAFile()
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Append(typeof(IR.IRType).Assembly.Location)
            .Append(typeof(Tensor).Assembly.Location)
            .Append(typeof(DyCompiler).Assembly.Location)
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        var implicitUsings = string.Concat(LoweringOptions.SdkImplicitUsings.Select(u => $"global using {u};\n"));
        var trees = new[] { (ModelFile, "TwoLayers.cs"), (AppFile, "App.cs"), (implicitUsings, "GlobalUsings.g.cs") }
            .Select(f => CSharpSyntaxTree.ParseText(f.Item1, new CSharpParseOptions(LanguageVersion.Latest), path: f.Item2));
        var compilation = CSharpCompilation.Create("UserApp" + Guid.NewGuid().ToString("N"), trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)));

        var run = Assembly.Load(stream.ToArray()).GetType("MyApp.App")!.GetMethod("Run")!;
        var x = ModelHarness.Random(3, 3, 4);
        var (compiled, eager) = ((float[], float[]))run.Invoke(null, [ModelFile, x])!;

        Assert.Equal(6, compiled.Length);
        for (var i = 0; i < eager.Length; i++) Assert.Equal(eager[i], compiled[i], 1e-5f);
    }
}

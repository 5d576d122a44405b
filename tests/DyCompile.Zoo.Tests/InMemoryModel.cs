using System.Reflection;
using DyCompile.Compiler;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DyCompile.Zoo.Tests;

/// <summary>A small model compiled in memory from its source, for reproductions that the zoo's
/// models are too big to show clearly: the compilation (for the frontend) and an instance.</summary>
internal sealed record InMemoryModel(CSharpCompilation Compilation, object Model)
{
    public const string Usings = "using System;\nusing DyCompile.Runtime;\nusing DyCompile.Runtime.Nn;\n";

    public static InMemoryModel Create(string source, string typeName, int seed)
    {
        var compilation = CSharpCompilation.Create(typeName, [CSharpSyntaxTree.ParseText(Usings + source, new CSharpParseOptions(LanguageVersion.Latest), path: "model.cs")],
            ModelLowering.References.Value, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        var type = Assembly.Load(stream.ToArray()).GetType(typeName)!;
        return new InMemoryModel(compilation, type.GetConstructor([typeof(Random)])!.Invoke([new Random(seed)]));
    }

    public object Forward(params object[] inputs) =>
        Model.GetType().GetMethod("Forward")!.Invoke(Model, BindingFlags.DoNotWrapExceptions, null, inputs, null)!;
}

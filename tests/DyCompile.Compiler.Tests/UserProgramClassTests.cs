using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DyCompile.Compiler.Tests;

/// <summary>An app's own <c>Program</c> class (its entry point, or the one a test project names in
/// <c>WebApplicationFactory&lt;Program&gt;</c>) stays unambiguous next to the library's usings.</summary>
public class UserProgramClassTests
{
    private const string UserFile = """
        using DyCompile;
        using DyCompile.IR;
        using DyCompile.Runtime;
        using MyApp;

        namespace MyApp.Checks
        {
            public static class Probe
            {
                public static string Describe() => Program.Name + " " + nameof(DyCompiler) + " " + IRType.Float;
            }
        }

        namespace MyApp
        {
            public static class Program
            {
                public static string Name => "app";
            }
        }

        namespace Elsewhere
        {
            public static class Probe
            {
                public static string Describe() => Program.Name + " " + typeof(Tensor).Name;
            }
        }
        """;

    [Fact]
    public void AProgramClassOfTheAppCompilesNextToTheLibraryUsings()
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Append(typeof(IR.IRType).Assembly.Location)
            .Append(typeof(Runtime.Tensor).Assembly.Location)
            .Append(typeof(DyCompiler).Assembly.Location)
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("UserApp", [CSharpSyntaxTree.ParseText(UserFile, path: "Program.cs")], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);

        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)));
        var probe = Assembly.Load(stream.ToArray()).GetType("Elsewhere.Probe")!.GetMethod("Describe")!;
        Assert.Equal("app Tensor", probe.Invoke(null, null));
    }
}

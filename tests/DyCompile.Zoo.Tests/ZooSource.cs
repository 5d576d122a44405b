using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DyCompile.Zoo.Tests;

/// <summary>The zoo's own C# source (embedded in this assembly) as a Roslyn compilation, for the
/// frontend to lower models from.</summary>
internal static class ZooSource
{
    private static readonly Lazy<CSharpCompilation> _compilation = new(() =>
    {
        var assembly = typeof(ZooSource).Assembly;
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("zoo/", StringComparison.Ordinal))
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return CSharpSyntaxTree.ParseText(reader.ReadToEnd(), parse, path: n);
            })
            .Append(CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq;", parse, path: "usings.cs"));
        // Everything this process can load, except the compiled zoo itself (its types come from source).
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).Equals("DyCompile.Zoo.dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p));
        return CSharpCompilation.Create("ZooSource", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    });

    public static CSharpCompilation Compilation => _compilation.Value;
}

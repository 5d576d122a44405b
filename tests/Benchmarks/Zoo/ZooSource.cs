using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DyCompile.Benchmarks.Zoo;

/// <summary>The zoo's C# source (embedded in this assembly) as one Roslyn compilation, so the
/// frontend lowers each model from the source it was built from.</summary>
internal static class ZooSource
{
    private static readonly Lazy<CSharpCompilation> _compilation = new(Build);

    public static CSharpCompilation Compilation => _compilation.Value;

    private static CSharpCompilation Build()
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
            // The zoo project relies on the SDK's implicit usings.
            .Append(CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq;", parse, path: "usings.cs"));
        // Everything this process can load, except the compiled zoo itself: its types come from the source.
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).Equals("DyCompile.Zoo.dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p));
        return CSharpCompilation.Create("ZooSource", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    }
}

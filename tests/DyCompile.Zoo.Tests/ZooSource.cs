using DyCompile.Compiler.Jit;
using Microsoft.CodeAnalysis;

namespace DyCompile.Zoo.Tests;

/// <summary>The zoo's own C# source as a Roslyn compilation, for the frontend to lower models from: read back
/// through the zoo assembly's PDB, which embeds it (<c>EmbedAllSources</c> in its project).</summary>
internal static class ZooSource
{
    private static readonly Lazy<Compilation> _compilation = new(() =>
    {
        var (compilation, problem) = ModelSource.Load(typeof(ZooModel));
        return compilation ?? throw new InvalidOperationException(problem!.ToString());
    });

    public static Compilation Compilation => _compilation.Value;
}

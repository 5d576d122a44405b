using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace DyCompile.Compiler.Jit;

/// <summary>Finds the C# source of a compiled model, so a model can be compiled from its instance
/// alone. The frontend lowers source, not IL: the source files are read back through the model
/// assembly's portable PDB (next to the assembly, or embedded in it) — from the PDB itself when
/// the project embeds its sources (<c>&lt;EmbedAllSources&gt;true&lt;/EmbedAllSources&gt;</c>, which
/// makes this work wherever the assembly goes), else from the paths the PDB records. The
/// compilation references every assembly the process has loaded except the model's own, whose
/// types come from the source.</summary>
public static class ModelSource
{
    private static readonly Guid _csharpLanguage = new("3f5162f8-07c6-11d3-9053-00c04fa302a1");
    private static readonly Guid _embeddedSource = new("0e8a571b-6926-466e-b4ad-8ab04611f5fe");

    /// <summary>The SDK's implicit global usings: files without code (such as the generated
    /// GlobalUsings.g.cs) have no entry in a PDB unless sources are embedded.</summary>
    private const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";

    /// <summary>A compilation of the source of <paramref name="modelType"/>'s assembly, or a
    /// diagnostic (DYC0006) saying why none could be read.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "The PDB is found next to the assembly's file; an assembly with no file (single-file) is reported as DYC0006.")]
    public static (Compilation? Compilation, Diagnostic? Problem) Load(Type modelType)
    {
        var assembly = modelType.Assembly;
        var location = assembly.Location;
        if (string.IsNullOrEmpty(location))
            return Missing(modelType, $"its assembly {assembly.GetName().Name} has no file on disk (single-file or in-memory), so its PDB cannot be read");

        List<(string Path, string Text)> files;
        try
        {
            files = ReadSources(location, out var problem);
            if (problem is not null) return Missing(modelType, problem);
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or UnauthorizedAccessException or InvalidDataException)
        {
            return Missing(modelType, $"reading the PDB of {Path.GetFileName(location)} failed: {e.Message}");
        }
        if (files.Count == 0)
            return Missing(modelType, $"the PDB of {Path.GetFileName(location)} names no C# source that could be read (set <EmbedAllSources>true</EmbedAllSources> in the model's project, or keep its sources where they were built)");

        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Text, parse, path: f.Path, encoding: Encoding.UTF8)).ToList();
        if (!files.Any(f => f.Path.EndsWith("GlobalUsings.g.cs", StringComparison.OrdinalIgnoreCase)))
            trees.Add(CSharpSyntaxTree.ParseText(ImplicitUsings, parse, path: "ImplicitUsings.g.cs"));
        var compilation = CSharpCompilation.Create(
            assembly.GetName().Name + ".Source", trees, References(assembly),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        return (compilation, null);
    }

    private static List<(string Path, string Text)> ReadSources(string assemblyPath, out string? problem)
    {
        problem = null;
        var files = new List<(string, string)>();
        using var peStream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(peStream);
        if (!pe.TryOpenAssociatedPortablePdb(assemblyPath, p => File.Exists(p) ? File.OpenRead(p) : null, out var provider, out _) || provider is null)
        {
            problem = $"no portable PDB found for {Path.GetFileName(assemblyPath)} (build the model's project with <DebugType>portable</DebugType> or embedded)";
            return files;
        }
        using (provider)
        {
            var pdb = provider.GetMetadataReader();
            foreach (var handle in pdb.Documents)
            {
                var document = pdb.GetDocument(handle);
                if (pdb.GetGuid(document.Language) != _csharpLanguage) continue;
                var path = pdb.GetString(document.Name);
                var text = EmbeddedText(pdb, handle) ?? (File.Exists(path) ? File.ReadAllText(path) : null);
                if (text is not null) files.Add((path, text));
            }
        }
        return files;
    }

    /// <summary>The embedded source blob: a 4-byte format (0: raw; otherwise the uncompressed
    /// size of a deflate stream) followed by the bytes of the file.</summary>
    private static string? EmbeddedText(MetadataReader pdb, DocumentHandle document)
    {
        foreach (var cdiHandle in pdb.GetCustomDebugInformation(document))
        {
            var cdi = pdb.GetCustomDebugInformation(cdiHandle);
            if (pdb.GetGuid(cdi.Kind) != _embeddedSource) continue;
            var blob = pdb.GetBlobBytes(cdi.Value);
            var format = BitConverter.ToInt32(blob, 0);
            if (format == 0) return Decode(blob.AsSpan(4));
            using var inflate = new DeflateStream(new MemoryStream(blob, 4, blob.Length - 4), CompressionMode.Decompress);
            var bytes = new byte[format];
            inflate.ReadExactly(bytes);
            return Decode(bytes);
        }
        return null;
    }

    private static string Decode(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? Encoding.UTF8.GetString(bytes[3..]) : Encoding.UTF8.GetString(bytes);

    private static IEnumerable<MetadataReference> References(Assembly model) =>
        MetadataReferences.ForModelSource(model.GetName().Name);

    private static (Compilation?, Diagnostic?) Missing(Type modelType, string why) =>
        (null, new Diagnostic(DiagnosticIds.ModelSourceNotFound, DiagnosticSeverity.Error, modelType.FullName ?? modelType.Name, 1, 1,
            $"the source of model '{modelType.FullName}' was not found: {why}; or pass the source to DyCompiler.Compile"));
}

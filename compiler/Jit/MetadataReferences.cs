using System.Reflection;
using System.Reflection.Metadata;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace DyCompile.Compiler.Jit;

/// <summary>Roslyn metadata references to assemblies of this process, taken from the metadata the
/// runtime has already loaded (<see cref="AssemblyExtensions.TryGetRawMetadata"/>) rather than from
/// files: an app published as a single file has no assembly files to read, and
/// <see cref="Assembly.Location"/> is empty there. Framework assemblies that are not loaded yet
/// are loaded by name first.</summary>
public static class MetadataReferences
{
    /// <summary>The assemblies code compiled against the framework always needs, loaded if not yet.</summary>
    private static readonly string[] _framework =
    [
        "System.Private.CoreLib", "System.Runtime", "netstandard", "System.Collections", "System.Collections.Concurrent",
        "System.Linq", "System.Memory", "System.Numerics.Vectors", "System.Runtime.Intrinsics", "System.Runtime.InteropServices",
        "System.Threading", "System.Threading.Tasks.Parallel", "System.Console", "System.Numerics.Tensors", "System.Linq.Expressions",
    ];

    /// <summary>A reference to <paramref name="assembly"/>'s metadata, or null for an assembly with
    /// none to share (dynamic, or collectible: its metadata goes away when it unloads).</summary>
    public static unsafe MetadataReference? Of(Assembly assembly)
    {
        if (assembly.IsDynamic || AssemblyLoadContext.GetLoadContext(assembly) is { IsCollectible: true }) return null;
        if (!assembly.TryGetRawMetadata(out var blob, out var length)) return null;
        // The runtime keeps a non-collectible assembly's metadata mapped for the life of the process.
        var module = ModuleMetadata.CreateFromMetadata((IntPtr)blob, length);
        return AssemblyMetadata.Create(module).GetReference(display: assembly.GetName().Name);
    }

    /// <summary>For generated code: the framework's <c>System.*</c> assemblies and <paramref name="assemblies"/>.</summary>
    public static IReadOnlyList<MetadataReference> ForGeneratedCode(params Assembly[] assemblies) =>
        Build(frameworkOnly: true, assemblies, exclude: null, allLoaded: false);

    /// <summary>For source written against the platform and <paramref name="assemblies"/>: every
    /// assembly of the platform and the app's dependencies, and of what else is loaded only the framework.</summary>
    public static IReadOnlyList<MetadataReference> ForPlatform(params Assembly[] assemblies) =>
        Build(frameworkOnly: false, assemblies, exclude: null, allLoaded: false);

    /// <summary>For model source: everything the app can load (the platform's assemblies and the
    /// app's dependencies, plus whatever else is loaded) and <paramref name="assemblies"/>, except
    /// the assembly named <paramref name="exclude"/> (the model's own, whose types come from source).</summary>
    public static IReadOnlyList<MetadataReference> ForModelSource(string? exclude, params Assembly[] assemblies) =>
        Build(frameworkOnly: false, assemblies, exclude, allLoaded: true);

    private static bool IsFramework(string name) =>
        name.StartsWith("System.", StringComparison.Ordinal) || name is "System" or "netstandard" or "mscorlib";

    private static List<MetadataReference> Build(bool frameworkOnly, Assembly[] extra, string? exclude, bool allLoaded)
    {
        var byName = new Dictionary<string, MetadataReference>(StringComparer.OrdinalIgnoreCase);
        bool Wanted(string name) => (!frameworkOnly || IsFramework(name)) && !string.Equals(name, exclude, StringComparison.OrdinalIgnoreCase) && !byName.ContainsKey(name);

        foreach (var assembly in extra)
            if (assembly.GetName().Name is { } name && !byName.ContainsKey(name) && Of(assembly) is { } reference) byName[name] = reference;
        // Files of the platform where there are files (reading them needs nothing loaded) ...
        foreach (var path in ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            if (Path.GetFileNameWithoutExtension(path) is var name && Wanted(name) && File.Exists(path))
                byName[name] = MetadataReference.CreateFromFile(path);
        // ... and in a single-file app, where there are none, the metadata of loaded assemblies.
        foreach (var name in _framework)
        {
            if (byName.ContainsKey(name)) continue;
            try { Assembly.Load(new AssemblyName(name)); }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException) { }
        }
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            if (assembly.GetName().Name is { } name && Wanted(name) && (allLoaded || IsFramework(name)) && Of(assembly) is { } reference)
                byName[name] = reference;
        return [.. byName.Values];
    }
}

using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using DyCompile.Compiler;
using DyCompile.Compiler.Jit;
using DyCompile.Runtime;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Diagnostic = DyCompile.Compiler.Diagnostic;
using DiagnosticSeverity = DyCompile.Compiler.DiagnosticSeverity;

namespace DyCompile.Cli.Models;

/// <summary>The models of one input: a built assembly (its source read back through its PDB, as
/// the build step does) or a C# file (compiled in memory against the runtime). Loading runs the
/// user's code in this process — which is why the build step runs this tool in a process of its
/// own and never in the MSBuild node.</summary>
public sealed class ModelAssembly
{
    private ModelAssembly(Assembly assembly, Compilation source)
    {
        Assembly = assembly;
        Source = source;
    }

    public Assembly Assembly { get; }

    /// <summary>The model source as a Roslyn compilation (what the frontend lowers).</summary>
    public Compilation Source { get; }

    /// <exception cref="CliException">The file is missing, not an assembly or C# file, or its source cannot be read.</exception>
    public static ModelAssembly Load(string path, ModelRequest request, Progress progress)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new CliException(path, $"no such file '{path}'");
        return Path.GetExtension(full).ToLowerInvariant() switch
        {
            ".dll" or ".exe" => FromAssembly(full, request.References),
            ".csproj" => FromAssembly(ProjectInput.Build(full, request.Configuration, progress), request.References),
            ".cs" => FromSourceFile(full),
            _ => throw new CliException(path, $"'{path}' is neither a built assembly (.dll), a project (.csproj) nor a C# file (.cs)"),
        };
    }

    private static ModelAssembly FromAssembly(string path, IReadOnlyList<string> references)
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in references.Where(File.Exists)) byName.TryAdd(Path.GetFileNameWithoutExtension(r), r);
        var directory = Path.GetDirectoryName(path)!;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            if (name.Name is null) return null;
            if (byName.TryGetValue(name.Name, out var found)) return context.LoadFromAssemblyPath(found);
            var beside = Path.Combine(directory, name.Name + ".dll");
            return File.Exists(beside) ? context.LoadFromAssemblyPath(beside) : null;
        };
        Assembly assembly;
        try
        {
            assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException)
        {
            throw new CliException(path, $"'{Path.GetFileName(path)}' cannot be loaded as a .NET assembly: {e.Message}");
        }
        // The source compilation references what the process has loaded: load what the model's
        // assembly references first, so its types are there.
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            try { AssemblyLoadContext.Default.LoadFromAssemblyName(reference); }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException) { }
        }
        var anyType = LoadableTypes(assembly).FirstOrDefault()
            ?? throw new CliException(path, $"'{Path.GetFileName(path)}' declares no types");
        var (compilation, problem) = ModelSource.Load(anyType);
        if (compilation is null) throw new CliException([problem! with { File = path }]);
        return new ModelAssembly(assembly, compilation);
    }

    private static ModelAssembly FromSourceFile(string path)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(File.ReadAllText(path), parse, path: path, encoding: Encoding.UTF8),
            CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.Linq;", parse, path: "ImplicitUsings.g.cs"),
        };
        var compilation = CSharpCompilation.Create(
            "DyCompile.Cli." + Path.GetFileNameWithoutExtension(path), trees, ModelLowering.References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        if (!emitted.Success)
            throw new CliException([.. emitted.Diagnostics
                .Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Take(20)
                .Select(d =>
                {
                    var span = d.Location.GetLineSpan();
                    return new Diagnostic(DiagnosticIds.SourceErrors, DiagnosticSeverity.Error, path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1,
                        $"the file does not compile as C# ({d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)})");
                })]);
        // A context of its own: the same file may be loaded again in one process (by tests, say).
        var context = new AssemblyLoadContext("dycompile " + path);
        return new ModelAssembly(context.LoadFromStream(new MemoryStream(image.ToArray())), compilation);
    }

    /// <summary>The <c>[DyCompile]</c> classes asked for, with their attribute read and checked.</summary>
    /// <exception cref="CliException">A class named in the request is not there, or none is marked.</exception>
    public IReadOnlyList<ModelSpec> Models(ModelRequest request, List<Diagnostic> diagnostics)
    {
        var marked = LoadableTypes(Assembly).Where(t => t.GetCustomAttribute<DyCompileAttribute>() is not null).OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();
        var chosen = new List<Type>();
        if (request.Names.Count == 0) chosen.AddRange(marked);
        foreach (var name in request.Names)
        {
            var type = LoadableTypes(Assembly).FirstOrDefault(t => t.FullName == name) ?? LoadableTypes(Assembly).FirstOrDefault(t => t.Name == name)
                ?? throw new CliException(Assembly.GetName().Name ?? "", $"no class '{name}' in {Assembly.GetName().Name}; its [DyCompile] classes: {(marked.Count == 0 ? "none" : string.Join(", ", marked.Select(t => t.FullName)))}");
            chosen.Add(type);
        }
        if (request.Inputs is not null && chosen.Count != 1)
            throw new CliException(Assembly.GetName().Name ?? "", "--inputs applies to one model: name it with --model");

        var specs = new List<ModelSpec>();
        foreach (var type in chosen)
        {
            var attribute = type.GetCustomAttribute<DyCompileAttribute>() ?? new DyCompileAttribute();
            var (classSpot, attributeSpot) = Locate(type);
            var texts = request.Inputs ?? attribute.Inputs;
            var types = new List<IR.IRType?>();
            var bad = false;
            foreach (var text in texts)
            {
                var parsed = InputTypeSpec.TryParse(text, out var error);
                if (parsed is null)
                {
                    diagnostics.Add(new Diagnostic(ToolDiagnosticIds.BadInputType, DiagnosticSeverity.Error, attributeSpot.File, attributeSpot.Line, attributeSpot.Column, error!));
                    bad = true;
                }
                types.Add(parsed);
            }
            if (bad) continue;
            specs.Add(new ModelSpec(type, attribute, types, request.Method ?? attribute.Method, request.Strict || attribute.Strict, classSpot, attributeSpot));
        }
        return specs;
    }

    /// <summary>Makes the instance the build reads weights from: the named static factory, or the
    /// public parameterless constructor.</summary>
    public static object? Instantiate(ModelSpec spec, List<Diagnostic> diagnostics)
    {
        var type = spec.Type;
        try
        {
            if (spec.Attribute.Factory is { } factoryName)
            {
                var factory = type.GetMethod(factoryName, BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes);
                if (factory is null || !type.IsAssignableFrom(factory.ReturnType))
                {
                    diagnostics.Add(spec.Error(ToolDiagnosticIds.NoInstance, $"'{type.Name}' has no public static method {factoryName}() returning a {type.Name} (named by [DyCompile(Factory = ...)])"));
                    return null;
                }
                return factory.Invoke(null, null) ?? Fail($"{type.Name}.{factoryName}() returned null");
            }
            if (type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
                return Fail($"'{type.Name}' has no public parameterless constructor; add one, or name a public static factory method with [DyCompile(Factory = nameof(Create))]");
            return Activator.CreateInstance(type);
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            return Fail($"making an instance of '{type.Name}' threw {inner.GetType().Name}: {inner.Message}");
        }

        object? Fail(string message)
        {
            diagnostics.Add(spec.Error(ToolDiagnosticIds.NoInstance, message));
            return null;
        }
    }

    private (SourceSpot Class, SourceSpot Attribute) Locate(Type type)
    {
        var fallback = new SourceSpot(Assembly.GetName().Name + ".dll", 1, 1);
        var symbol = Source.GetTypeByMetadataName(type.FullName ?? type.Name);
        var declaration = symbol?.Locations.FirstOrDefault(l => l.IsInSource);
        if (symbol is null || declaration is null) return (fallback, fallback);
        var classSpot = Spot(declaration);
        var attribute = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == "DyCompile.Runtime.DyCompileAttribute")?.ApplicationSyntaxReference;
        return (classSpot, attribute is null ? classSpot : Spot(attribute.SyntaxTree.GetLocation(attribute.Span)));
    }

    private static SourceSpot Spot(Location location)
    {
        var span = location.GetLineSpan();
        return new SourceSpot(span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1);
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.Where(t => t is not null)!;
        }
    }
}

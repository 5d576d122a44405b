using System.Collections.Immutable;
using DyCompile.Compiler;
using DyCompile.Compiler.Jit;
using DyCompile.Compiler.Lowering;
using DyCompile.IR;
using DyCompile.Passes.Optimization;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Diagnostic = DyCompile.Compiler.Diagnostic;
using DiagnosticSeverity = DyCompile.Compiler.DiagnosticSeverity;

namespace DyCompile;

/// <summary>The frontend: lowers a forward method of a <c>[DyCompile]</c> model to an IR program.
/// <code>
/// var result = ModelLowering.Lower(source, "EarlyExit", "Forward", model,
///     new LoweringOptions { InputTypes = [IRType.F32(1, 8), null] });
/// if (result.Succeeded) Console.WriteLine(result.Program);
/// else foreach (var d in result.Diagnostics) Console.WriteLine(d);
/// </code>
/// Never throws on any C# input: problems are <see cref="Diagnostic"/>s.</summary>
public static class ModelLowering
{
    /// <summary>Stack of the thread that parses, binds and lowers. Roslyn's parser and parts of
    /// its binder recurse once per level of nesting, some without a stack probe, and the
    /// frontend follows an expression's operands recursively (with one): on a stack this large
    /// the probes, not the end of the stack, decide where nesting stops (DYC0401), whatever
    /// thread the caller compiles on. Reserved address space; only what is used is committed.</summary>
    public const int CompilerStackBytes = 64 << 20;

    /// <summary>Parses <paramref name="source"/>, compiles it against the runtime and lowers.</summary>
    public static LoweringResult Lower(string source, string typeName, string methodName, object? model, LoweringOptions? options = null) =>
        DedicatedStack.Run(CompilerStackBytes, () => LowerSource(source, typeName, methodName, model, options ?? new LoweringOptions()));

    /// <summary>Lowers <paramref name="methodName"/> of <paramref name="typeName"/> in
    /// <paramref name="compilation"/>; weights and readonly fields are read from <paramref name="model"/>.</summary>
    public static LoweringResult Lower(Compilation compilation, string typeName, string methodName, object? model, LoweringOptions? options = null) =>
        DedicatedStack.Run(CompilerStackBytes, () => LowerCompilation(compilation, typeName, methodName, model, options ?? new LoweringOptions()));

    private static LoweringResult LowerSource(string source, string typeName, string methodName, object? model, LoweringOptions options)
    {
        try
        {
            var parse = new CSharpParseOptions(LanguageVersion.Latest);
            var tree = CSharpSyntaxTree.ParseText(source, parse, path: options.FileName);
            var compilation = EmptyCompilation.Value.AddSyntaxTrees(tree);
            if (options.GlobalUsings.Count > 0)
                compilation = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
                    string.Concat(options.GlobalUsings.Select(u => $"global using {u};\n")), parse, path: "GlobalUsings.g.cs"));
            return LowerCompilation(compilation, typeName, methodName, model, options);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Failed(new Diagnostic(DiagnosticIds.InternalError, DiagnosticSeverity.Error, options.FileName, 1, 1, $"internal compiler error: {e.Message}; please report it with the model source"));
        }
    }

    private static LoweringResult LowerCompilation(Compilation compilation, string typeName, string methodName, object? model, LoweringOptions options)
    {
        SyntaxNode? where = null;
        // A concurrent build binds method bodies on thread-pool threads, whose 1.5 MB stacks a deep
        // expression can overflow before Roslyn's probes fire; bound on this thread, the dedicated
        // stack holds them.
        if (compilation.Options.ConcurrentBuild)
            compilation = compilation.WithOptions(compilation.Options.WithConcurrentBuild(false));
        try
        {
            return LowerChecked(compilation, typeName, methodName, model, options, ref where);
        }
        catch (LoweringException e)
        {
            return Failed(e.Diagnostic);
        }
        catch (InsufficientExecutionStackException)
        {
            // Roslyn's own walks (semantic analysis, flow analysis) stop on a stack probe too.
            var at = where is null
                ? new Diagnostic(DiagnosticIds.NestingTooDeep, DiagnosticSeverity.Error, options.FileName, 1, 1, "")
                : MethodLowerer.MakeDiagnostic(DiagnosticIds.NestingTooDeep, DiagnosticSeverity.Error, where, "");
            return Failed(at with { Message = TooDeepMessage });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var at = where is null
                ? new Diagnostic(DiagnosticIds.InternalError, DiagnosticSeverity.Error, options.FileName, 1, 1, "")
                : MethodLowerer.MakeDiagnostic(DiagnosticIds.InternalError, DiagnosticSeverity.Error, where, "");
            return Failed(at with { Message = $"internal compiler error while lowering '{methodName}': {e.Message}; please report it with the model source" });
        }
    }

    /// <summary>The IR types of concrete inputs (tensors with their static shapes, host scalars).</summary>
    public static IReadOnlyList<IRType?> TypesOf(IEnumerable<object?> inputs) => inputs.Select(i => (IRType?)(i switch
    {
        Tensor t => new TensorType(t.DType, t.Shape.ToArray()),
        int => IRType.Int,
        float or double => IRType.Float,
        bool => IRType.Bool,
        _ => null,
    })).ToList();

    private static LoweringResult LowerChecked(Compilation compilation, string typeName, string methodName, object? model, LoweringOptions options, ref SyntaxNode? where)
    {
        var type = FindType(compilation, typeName);
        if (type is null)
        {
            var anyErrors = SourceErrors(compilation.GetDiagnostics(), options);
            return anyErrors.Count > 0
                ? new LoweringResult(null, new Dictionary<string, Tensor>(), anyErrors)
                : Failed(new Diagnostic(DiagnosticIds.ModelTypeNotFound, DiagnosticSeverity.Error, options.FileName, 1, 1,
                    $"no class '{typeName}' in the source; give the model's class name (with its namespace when two classes share it)"));
        }
        // Only the model's own errors matter (and binding just its span keeps this cheap when
        // one compilation holds many models); the methods it inlines are checked as they are lowered.
        var errors = SourceErrors(type.DeclaringSyntaxReferences
            .SelectMany(r => compilation.GetSemanticModel(r.SyntaxTree).GetDiagnostics(r.Span)), options);
        if (errors.Count > 0) return new LoweringResult(null, new Dictionary<string, Tensor>(), errors);

        var typeSyntax = type.DeclaringSyntaxReferences.First().GetSyntax();
        where = typeSyntax;
        var diagnostics = new List<Diagnostic>();
        if (!DerivesFromModule(type))
            return Failed(MethodLowerer.MakeDiagnostic(DiagnosticIds.NotAModel, DiagnosticSeverity.Error, Identifier(typeSyntax),
                $"'{type.Name}' does not derive from DyCompile.Runtime.Nn.Module; a model is a Module subclass marked [DyCompile]"));
        if (!type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "DyCompile.Runtime.DyCompileAttribute"))
            diagnostics.Add(MethodLowerer.MakeDiagnostic(DiagnosticIds.NotAModel, DiagnosticSeverity.Warning, Identifier(typeSyntax),
                $"'{type.Name}' is not marked [DyCompile]; mark the model class so the build step compiles it"));
        var strict = options.Strict || type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "DyCompile.Runtime.DyCompileAttribute"
            && a.NamedArguments.Any(n => n.Key == "Strict" && n.Value.Value is true));

        var method = type.GetMembers(methodName).OfType<IMethodSymbol>().FirstOrDefault(m => m.DeclaringSyntaxReferences.Length > 0);
        if (method is null)
            return Failed(MethodLowerer.MakeDiagnostic(DiagnosticIds.MethodNotFound, DiagnosticSeverity.Error, Identifier(typeSyntax),
                $"'{type.Name}' has no method '{methodName}' with a body"), diagnostics);
        var methodSyntax = method.DeclaringSyntaxReferences.First().GetSyntax();
        where = methodSyntax;

        var inputTypes = new List<IRType>();
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var p = method.Parameters[i];
            var given = options.InputTypes is { } types && i < types.Count ? types[i] : null;
            var type2 = given ?? p.Type.SpecialType switch
            {
                SpecialType.System_Int32 => IRType.Int,
                SpecialType.System_Single or SpecialType.System_Double => IRType.Float,
                SpecialType.System_Boolean => (IRType)IRType.Bool,
                _ => null,
            };
            if (type2 is null)
                return Failed(MethodLowerer.MakeDiagnostic(DiagnosticIds.InputTypesMissing, DiagnosticSeverity.Error, p.DeclaringSyntaxReferences.First().GetSyntax(),
                    $"parameter '{p.Name}' needs an IR type (LoweringOptions.InputTypes), e.g. IRType.F32(1, 8), or tensor dims of -1 for sizes known only at run time"), diagnostics);
            if (p.RefKind != RefKind.None)
                return Failed(MethodLowerer.MakeDiagnostic(DiagnosticIds.RefOrOut, DiagnosticSeverity.Error, p.DeclaringSyntaxReferences.First().GetSyntax(),
                    "ref and out parameters cannot compile; return the values (a tuple for several)"), diagnostics);
            inputTypes.Add(type2);
        }

        var found = SubsetScanner.Scan(methodSyntax, compilation);
        if (found.Count > 0) return Failed(found, diagnostics);

        // Lowering restarts whenever an attempt learns something that changes blocks it already
        // emitted; each restart must teach the plan something new, so this ends.
        var plan = new LoweringPlan();
        for (var attempt = 1; ; attempt++)
        {
            var lowerer = new MethodLowerer(compilation, options with { Strict = strict }, new WeightNames(model), plan, ProgramName(type, method));
            switch (lowerer.Lower(method, model!, inputTypes))
            {
                case LoweringAttempt.Lowered { Program: var program }:
                    var verified = Verifier.Errors(program);
                    if (verified.Count > 0)
                        return Failed(MethodLowerer.MakeDiagnostic(DiagnosticIds.InternalError, DiagnosticSeverity.Error, methodSyntax,
                            $"internal compiler error: the lowered program is malformed ({verified[0].Message}); please report it with the model source"), diagnostics);
                    diagnostics.AddRange(lowerer.Warnings);
                    return new LoweringResult(program, lowerer.Weights, diagnostics) { Callbacks = lowerer.Callbacks };
                case LoweringAttempt.Restart restart when plan.Apply(restart.Request):
                    if (attempt >= options.RestartLimit)
                        return Failed(MakeDiagnosticAt(restart.Diagnostic, DiagnosticIds.TooManySpecializations,
                            $"lowering restarted {attempt} times and did not settle (LoweringOptions.RestartLimit); the last restart was to {restart.Request.Describe()}"));
                    break;
                case LoweringAttempt.Restart { Diagnostic: var stands }:
                    return Failed(stands);
            }
        }
    }

    private static Diagnostic MakeDiagnosticAt(Diagnostic at, string id, string message) => at with { Id = id, Message = message };

    private static string ProgramName(INamedTypeSymbol type, IMethodSymbol method) =>
        new string($"{type.Name}.{method.Name}".Where(c => char.IsLetterOrDigit(c) || c is '_' or '.').ToArray());

    /// <summary>The class name of a type declaration, so a diagnostic points at it, not at its attributes.</summary>
    private static Location Identifier(SyntaxNode typeSyntax) =>
        typeSyntax is BaseTypeDeclarationSyntax declaration ? declaration.Identifier.GetLocation() : typeSyntax.GetLocation();

    private static bool DerivesFromModule(INamedTypeSymbol type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.ToDisplayString() == "DyCompile.Runtime.Nn.Module") return true;
        return false;
    }

    private static INamedTypeSymbol? FindType(Compilation compilation, string name)
    {
        if (compilation.GetTypeByMetadataName(name) is { DeclaringSyntaxReferences.Length: > 0 } byMetadata) return byMetadata;
        return compilation.SyntaxTrees
            .SelectMany(t => t.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Select(c => (Tree: t, Class: c)))
            .Where(p => p.Class.Identifier.Text == name)
            .Select(p => compilation.GetSemanticModel(p.Tree).GetDeclaredSymbol(p.Class))
            .FirstOrDefault(s => s is not null);
    }

    private static List<Diagnostic> SourceErrors(IEnumerable<Microsoft.CodeAnalysis.Diagnostic> found, LoweringOptions options) =>
        found.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Take(20).Select(d => FromRoslyn(d, options)).ToList();

    /// <summary>What DYC0401 says, whichever walk ran out of stack.</summary>
    internal const string TooDeepMessage =
        "this expression nests too deeply for the compiler to follow; split it into statements that assign locals";

    /// <summary>Roslyn's "expression is too long or complex" is the depth limit of C# itself.</summary>
    private const string RoslynTooComplex = "CS8078";

    private static Diagnostic FromRoslyn(Microsoft.CodeAnalysis.Diagnostic d, LoweringOptions options)
    {
        var span = d.Location.GetLineSpan();
        var file = string.IsNullOrEmpty(span.Path) ? options.FileName : span.Path;
        if (d.Id == RoslynTooComplex)
            return new Diagnostic(DiagnosticIds.NestingTooDeep, DiagnosticSeverity.Error, file, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1,
                $"{TooDeepMessage} (the C# compiler stops here: {d.Id})");
        return new Diagnostic(DiagnosticIds.SourceErrors, DiagnosticSeverity.Error, file, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1,
            $"the model does not compile as C# ({d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}); fix the C# error first");
    }

    private static LoweringResult Failed(Diagnostic d, IEnumerable<Diagnostic>? earlier = null) => Failed([d], earlier);

    private static LoweringResult Failed(IEnumerable<Diagnostic> ds, IEnumerable<Diagnostic>? earlier = null) =>
        new(null, new Dictionary<string, Tensor>(), [.. earlier ?? [], .. ds]);

    /// <summary>Metadata references for compiling model source: the platform and the runtime.</summary>
    public static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        [.. MetadataReferences.ForPlatform(typeof(Tensor).Assembly)]);

    // Compilations derived from one share its bound references, which makes each new one cheap.
    private static readonly Lazy<CSharpCompilation> EmptyCompilation = new(() => CSharpCompilation.Create("DyCompileModel", [], References.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true, concurrentBuild: false)));
}

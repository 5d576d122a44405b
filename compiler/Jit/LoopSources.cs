using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Jit;

/// <summary>Where the loop heads of a lowered program are in the model source. The frontend names
/// each block after the basic block of Roslyn's control-flow graph it lowers (<c>bb7</c>, or
/// <c>step1.bb3</c> inside an inlined method <c>Step</c>), so rebuilding that graph for the method
/// gives each block's syntax, and the loop statement around it gives the line a user recognises.
/// Best effort: a name that does not parse or a method that cannot be found has no source.</summary>
internal static partial class LoopSources
{
    [GeneratedRegex(@"^(?:(?<method>[a-z_][a-z_0-9]*?)\d+\.)?bb(?<ordinal>\d+)(?:\.\d+)?$")]
    private static partial Regex BlockName();

    /// <summary>Source locations (<c>file(line)</c>) of the blocks among <paramref name="blocks"/>
    /// that the frontend made from basic blocks of <paramref name="methodName"/> of
    /// <paramref name="typeName"/> (or of methods it inlined).</summary>
    public static IReadOnlyDictionary<string, string> Find(Compilation compilation, string typeName, string methodName, IEnumerable<string> blocks)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var graphs = new Dictionary<string, ControlFlowGraph?>(StringComparer.Ordinal);
            foreach (var block in blocks)
            {
                if (block == "entry" && MethodLocation(compilation, typeName, methodName) is { } declared)
                {
                    // The entry block is the method's start: its declaration is the line to name.
                    result[block] = declared;
                    continue;
                }
                var match = BlockName().Match(block);
                if (!match.Success) continue;
                var method = match.Groups["method"].Success ? match.Groups["method"].Value : null;
                var key = method ?? "";
                if (!graphs.TryGetValue(key, out var graph))
                    graphs[key] = graph = method is null ? GraphOf(compilation, compilation.GetTypeByMetadataName(typeName), methodName) : GraphOfInlined(compilation, method);
                var ordinal = int.Parse(match.Groups["ordinal"].Value, System.Globalization.CultureInfo.InvariantCulture);
                if (graph is null || ordinal >= graph.Blocks.Length) continue;
                var basic = graph.Blocks[ordinal];
                var syntax = basic.BranchValue?.Syntax ?? basic.Operations.FirstOrDefault()?.Syntax;
                if (syntax is null) continue;
                var at = syntax.AncestorsAndSelf().FirstOrDefault(IsLoop) ?? syntax;
                var span = at.GetLocation().GetLineSpan();
                var file = string.IsNullOrEmpty(span.Path) ? "model.cs" : Path.GetFileName(span.Path);
                result[block] = $"{file}({span.StartLinePosition.Line + 1})";
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A source location is a courtesy of the error message; its absence must not fail a compile.
        }
        return result;
    }

    /// <summary>As above for a model given as source text (parsed again, against the frontend's references).</summary>
    public static IReadOnlyDictionary<string, string> Find(string source, string fileName, string typeName, string methodName, IEnumerable<string> blocks)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), path: fileName);
        var compilation = CSharpCompilation.Create("DyCompileLoopSources", [tree], ModelLowering.References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
        return Find(compilation, typeName, methodName, blocks);
    }

    private static string? MethodLocation(Compilation compilation, string typeName, string methodName)
    {
        var method = compilation.GetTypeByMetadataName(typeName)?.GetMembers(methodName).OfType<IMethodSymbol>().FirstOrDefault(m => m.DeclaringSyntaxReferences.Length > 0);
        if (method is null) return null;
        var span = method.DeclaringSyntaxReferences[0].GetSyntax().GetLocation().GetLineSpan();
        var file = string.IsNullOrEmpty(span.Path) ? "model.cs" : Path.GetFileName(span.Path);
        return $"{file}({span.StartLinePosition.Line + 1})";
    }

    private static bool IsLoop(SyntaxNode node) => node is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax;

    private static ControlFlowGraph? GraphOf(Compilation compilation, INamedTypeSymbol? type, string methodName)
    {
        var method = type?.GetMembers(methodName).OfType<IMethodSymbol>().FirstOrDefault(m => m.DeclaringSyntaxReferences.Length > 0);
        return method is null ? null : GraphOf(compilation, method);
    }

    private static ControlFlowGraph? GraphOf(Compilation compilation, IMethodSymbol method)
    {
        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
        return compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax) is IMethodBodyOperation body ? ControlFlowGraph.Create(body) : null;
    }

    /// <summary>The graph of the one source method whose lower-cased name is <paramref name="tag"/>.</summary>
    private static ControlFlowGraph? GraphOfInlined(Compilation compilation, string tag)
    {
        var candidates = compilation.SyntaxTrees
            .SelectMany(t => t.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            .Where(m => m.Identifier.ValueText.ToLowerInvariant() == tag && (m.Body is not null || m.ExpressionBody is not null))
            .Take(2).ToList();
        if (candidates.Count != 1) return null;
        var model = compilation.GetSemanticModel(candidates[0].SyntaxTree);
        return model.GetOperation(candidates[0]) is IMethodBodyOperation body ? ControlFlowGraph.Create(body) : null;
    }
}

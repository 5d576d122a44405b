using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace DyCompile.Compiler.Lowering;

/// <summary>Finds the syntax a forward method may not contain, before any lowering: every
/// finding at once, each with its location and what to write instead.</summary>
internal static class SubsetScanner
{
    public static IReadOnlyList<Diagnostic> Scan(SyntaxNode method, Compilation compilation)
    {
        var found = new List<Diagnostic>();
        void Report(string id, SyntaxNode at, string message) =>
            found.Add(MethodLowerer.MakeDiagnostic(id, DiagnosticSeverity.Error, at, message));

        // A lambda passed to LINQ is reported once, at the LINQ call: the fix is a loop, not a helper.
        var semantic = compilation.ContainsSyntaxTree(method.SyntaxTree) ? compilation.GetSemanticModel(method.SyntaxTree) : null;
        var linqLambdas = new HashSet<SyntaxNode>();
        var hasGoto = method.DescendantNodes().Any(n => n is GotoStatementSyntax);
        foreach (var node in method.DescendantNodes())
        {
            if (node is InvocationExpressionSyntax invocation && semantic?.GetSymbolInfo(invocation).Symbol is IMethodSymbol called
                && called.ContainingNamespace?.ToDisplayString().StartsWith("System.Linq", StringComparison.Ordinal) == true)
            {
                var lambdas = invocation.ArgumentList.Arguments.Select(a => a.Expression).Where(e => e is LambdaExpressionSyntax or AnonymousMethodExpressionSyntax).ToList();
                if (lambdas.Count == 0) continue;
                linqLambdas.UnionWith(lambdas);
                var at = invocation.Expression is MemberAccessExpressionSyntax member ? member.Name : (SyntaxNode)invocation;
                Report(DiagnosticIds.Linq, at, $"LINQ ('{called.Name}') with a lambda cannot compile; write a foreach over the collection instead, "
                    + "e.g. 'foreach (var layer in _layers) x = layer.Forward(x);' for an Aggregate over layers (the loop is unrolled per element)");
                continue;
            }
            switch (node)
            {
                case ThrowStatementSyntax or ThrowExpressionSyntax:
                    Report(DiagnosticIds.Exceptions, node, "throwing exceptions cannot compile; return a sentinel value or validate inputs before the forward pass");
                    break;
                case TryStatementSyntax:
                    Report(DiagnosticIds.Exceptions, node, "try/catch/finally cannot compile; validate inputs before the forward pass");
                    break;
                case GotoStatementSyntax:
                    Report(DiagnosticIds.Goto, node, "goto cannot compile; use loops with break and continue, or if/else");
                    break;
                case LabeledStatementSyntax labeled when !hasGoto:
                    Report(DiagnosticIds.Goto, labeled.Identifier.Parent ?? node, "labels cannot compile; remove the label");
                    break;
                case LambdaExpressionSyntax or AnonymousMethodExpressionSyntax when linqLambdas.Contains(node):
                    break;
                case LambdaExpressionSyntax or AnonymousMethodExpressionSyntax or LocalFunctionStatementSyntax:
                    Report(DiagnosticIds.Lambda, node, "lambdas, anonymous methods and local functions cannot compile; write a helper method of the model");
                    break;
                case QueryExpressionSyntax:
                    Report(DiagnosticIds.Linq, node, "LINQ queries cannot compile; write a foreach or for loop");
                    break;
                case UnsafeStatementSyntax or FixedStatementSyntax or StackAllocArrayCreationExpressionSyntax or PointerTypeSyntax:
                    Report(DiagnosticIds.Unsafe, node, "unsafe code, pointers and stackalloc cannot compile; use tensor operations");
                    break;
                case ArgumentSyntax { RefKindKeyword.RawKind: not 0 } argument when !argument.RefKindKeyword.IsKind(SyntaxKind.InKeyword):
                    Report(DiagnosticIds.RefOrOut, node, "ref and out arguments cannot compile; return the values (a tuple for several)");
                    break;
                case RefExpressionSyntax or RefTypeSyntax:
                    Report(DiagnosticIds.RefOrOut, node, "ref locals and ref returns cannot compile; use plain locals");
                    break;
                case LockStatementSyntax or UsingStatementSyntax or YieldStatementSyntax or AwaitExpressionSyntax or CheckedStatementSyntax:
                    Report(DiagnosticIds.UnsupportedStatement, node, $"'{node.GetFirstToken().Text}' cannot compile in a forward method; see docs/language.md for the supported statements");
                    break;
                case LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 }:
                    Report(DiagnosticIds.UnsupportedStatement, node, "'using' declarations cannot compile in a forward method");
                    break;
            }
        }
        return found;
    }

    /// <summary>Scans an inlined method; its first finding stops lowering.</summary>
    public static void Check(IMethodSymbol method, Compilation compilation)
    {
        var syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).FirstOrDefault();
        if (syntax is null) return;
        var found = Scan(syntax, compilation);
        if (found.Count > 0) throw new LoweringException(found[0]);
    }
}

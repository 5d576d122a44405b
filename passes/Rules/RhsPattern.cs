using DyCompile.IR;
using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Rules;

/// <summary>
/// A right side written as a pattern over <see cref="TensorLanguage"/>: <c>(relu ?x)</c>. Its
/// variables are those of the left side; an op that takes attributes names them by a variable the
/// left side bound to an attribute leaf, so <c>(log_softmax ?x ?d)</c> reuses the attributes of
/// <c>(softmax ?x ?d)</c>.
/// </summary>
public sealed class RhsPattern
{
    private RhsPattern(PatternNode root) => Root = root;

    public PatternNode Root { get; }

    /// <summary>
    /// Parses <paramref name="text"/> (throws <see cref="SExprSyntaxException"/> on bad syntax) and
    /// checks it against the left side: every variable must be bound there (else <see cref="ArgumentException"/>).
    /// </summary>
    public static RhsPattern Parse(string text, IReadOnlyCollection<Var> leftVariables)
    {
        var root = Pattern.Parse(TensorLanguage.Language, text).Root;
        Validate(root, leftVariables, text);
        return new RhsPattern(root);
    }

    /// <summary>The right side for one match.</summary>
    public Rhs Build(RuleMatch match) => Build(Root, match);

    public override string ToString() => Root.ToString();

    private static Rhs Build(PatternNode node, RuleMatch match)
    {
        switch (node)
        {
            case PatternNode.Variable v:
                return match[v.Var.Name];
            case PatternNode.Node n when TensorLanguage.HasAttrsChild(n.Op):
                var attrs = match.Data(((PatternNode.Variable)n.Children[^1]).Var.Name).Attrs
                    ?? throw new InvalidCastException($"the attributes of {n.Op} are bound to a value, not to attributes");
                return Rhs.Call(n.Op, attrs, n.Children.Take(n.Children.Count - 1).Select(c => Build(c, match)).ToArray());
            case PatternNode.Node n:
                return Rhs.Call(n.Op, n.Children.Select(c => Build(c, match)).ToArray());
            default:
                throw new InvalidOperationException("unknown pattern node");
        }
    }

    private static void Validate(PatternNode node, IReadOnlyCollection<Var> leftVariables, string text)
    {
        switch (node)
        {
            case PatternNode.Variable v when !leftVariables.Contains(v.Var):
                throw new ArgumentException($"right side '{text}': {v.Var} is not bound by the left side");
            case PatternNode.Node n:
                if (!OpCatalog.TryGet(n.Op, out _))
                    throw new ArgumentException($"right side '{text}': '{n.Op}' is not an op");
                if (TensorLanguage.HasAttrsChild(n.Op) && n.Children[^1] is not PatternNode.Variable)
                    throw new ArgumentException($"right side '{text}': the attributes of {n.Op} must be a variable bound by the left side");
                foreach (var child in n.Children) Validate(child, leftVariables, text);
                break;
        }
    }
}

namespace DyCompile.Passes.EGraph;

/// <summary>A node of a pattern tree: a variable, or an operator (with payload) over sub-patterns.</summary>
public abstract record PatternNode
{
    private PatternNode()
    {
    }

    /// <summary>Matches any e-class, binding it to <see cref="Var"/>.</summary>
    public sealed record Variable(Var Var) : PatternNode
    {
        public override string ToString() => Var.ToString();
    }

    /// <summary>Matches an e-node with this operator, payload and arity whose children match.</summary>
    public sealed record Node(string Op, object? Payload, IReadOnlyList<PatternNode> Children) : PatternNode
    {
        /// <summary>True when no variable occurs below: the node denotes one fixed term.</summary>
        public bool IsGround { get; } = Children.All(c => c is Node { IsGround: true });

        public Term ToTerm() =>
            new(Op, Payload, Children.Select(c => ((Node)c).ToTerm()).ToArray());

        public override string ToString()
        {
            var head = Payload is null ? Op : Term.FormatPayload(Payload);
            return Children.Count == 0 ? head : $"({head} {string.Join(' ', Children)})";
        }
    }

    internal IEnumerable<Var> EnumerateVars() => this switch
    {
        Variable v => [v.Var],
        Node n => n.Children.SelectMany(c => c.EnumerateVars()),
        _ => [],
    };

    internal int OperatorCount => this switch
    {
        Node n => 1 + n.Children.Sum(c => c.OperatorCount),
        _ => 0,
    };

    internal static PatternNode FromSExpr(Language language, SExpr expr)
    {
        switch (expr)
        {
            case SExpr.Atom atom when atom.Text.StartsWith('?'):
                if (atom.Text.Length == 1)
                {
                    throw new SExprSyntaxException("a variable needs a name after '?'", atom.Position);
                }
                return new Variable(new Var(atom.Text));
            case SExpr.Atom atom:
                var leaf = SExpr.ResolveAtom(language, atom);
                return new Node(leaf.Op, leaf.Payload, []);
            case SExpr.List list:
                var op = SExpr.ResolveOperator(language, list);
                return new Node(op.Name, null, list.Items.Skip(1).Select(i => FromSExpr(language, i)).ToArray());
            default:
                throw new InvalidOperationException("unknown s-expression");
        }
    }
}

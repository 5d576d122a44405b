using DyCompile.IR;
using DyCompile.Passes.EGraph;
using DyCompile.Passes.Rules;
using DyCompile.Runtime;

namespace DyCompile.Testing;

/// <summary>
/// Random well-typed instances of a rule's left side, derived from its pattern and the op
/// catalog's shape rules. Each variable becomes a leaf (an input, a weight or a constant; an input
/// sometimes passed through relu, abs, sigmoid, tanh or clamp so that range conditions such as
/// "x ≥ 0" or "|x| ≤ 80" can hold); leaf shapes reuse and broadcast the shapes already built so
/// operands agree; each op's attributes are sampled from the catalog's attribute list. Every op is
/// type-checked by its shape rule as it is built (an op that rejects its operands re-draws the
/// leaves just made for it, then the whole instance), and an instance is kept only when the rule
/// rewrites it — generate and filter, so the rule's own condition decides.
/// </summary>
public static class LeftSideGenerator
{
    private const int LocalRetries = 64;
    private const int RootRedraws = 16;

    /// <summary>One instance the rule rewrites, or null when <paramref name="attempts"/> candidates found none.</summary>
    public static Graph? Generate(TensorRule rule, Random random, int size, int attempts = 4000)
    {
        var entries = Entries(rule);
        for (var i = 0; i < attempts; i++)
        {
            var instance = new Instance(random, size);
            var candidate = instance.Build(entries);
            for (var redraw = 0; candidate is not null && redraw < RootRedraws; redraw++)
            {
                if (RuleApplication.Fires(rule, candidate)) return candidate;
                candidate = instance.RedrawRoot(entries);
            }
        }
        return null;
    }

    /// <summary>The patterns an instance must contain: the one pattern, or each entry of a multi-pattern.</summary>
    private static IReadOnlyList<PatternNode> Entries(TensorRule rule) => rule.Searcher switch
    {
        Pattern p => [p.Root],
        MultiPattern m => [.. m.Entries.Select(e => e.Pattern)],
        _ => throw new ArgumentException($"rule {rule.Name}: instances can be derived from a pattern or multi-pattern only; pass SoundnessOptions.Instances"),
    };

    private abstract record Term(TensorType Type);

    private sealed record Leaf(string Name, TensorType Type, LeafKind Kind, double[]? Values, string? Wrapper, Attrs? WrapperAttrs) : Term(Type);

    private sealed record Apply(string Op, Attrs Attrs, IReadOnlyList<Term> Operands, TensorType Type) : Term(Type);

    /// <summary>One op of the pattern being built: its operands so far and which are leaves drawn for it.</summary>
    private sealed record Site(PatternNode.Node Node, OpDef Def, PatternNode[] Patterns, Var? AttrVar, bool[] Fresh, Term[] Operands);

    private enum LeafKind
    {
        Input,
        Weight,
        Constant,
    }

    private sealed class Instance(Random r, int size)
    {
        private readonly int _maxDim = 1 + (size + 1) / 2;
        private readonly int _maxRank = Math.Min(4, 2 + size / 2);
        private readonly Dictionary<Var, Term> _values = [];
        private readonly Dictionary<Var, Attrs> _attrs = [];
        private readonly List<int[]> _shapes = [];
        private int _leaves;
        private Site? _lastSite;

        public Graph? Build(IReadOnlyList<PatternNode> entries)
        {
            var roots = new List<Term>();
            foreach (var entry in entries)
            {
                if (Build(entry) is not { } term) return null;
                roots.Add(term);
            }
            return Materialize(roots);
        }

        private Term? Build(PatternNode node)
        {
            switch (node)
            {
                case PatternNode.Variable v:
                    if (_values.TryGetValue(v.Var, out var bound)) return bound;
                    return _values[v.Var] = NewLeaf(null);
                case PatternNode.Node n when OpCatalog.TryGet(n.Op, out var def) && def.Kind == OpKind.Tensor && def.ResultCount == 1:
                    return BuildApply(n, def);
                default:
                    return null;
            }
        }

        private Term? BuildApply(PatternNode.Node n, OpDef def)
        {
            var hasAttrs = TensorLanguage.HasAttrsChild(n.Op);
            var operandPatterns = hasAttrs ? n.Children.Take(n.Children.Count - 1).ToArray() : n.Children.ToArray();
            var attrVar = hasAttrs ? (n.Children[^1] as PatternNode.Variable)?.Var : null;
            if (hasAttrs && attrVar is null) return null;

            // Variables first bound here may be re-drawn when the op rejects its operands.
            var site = new Site(n, def, operandPatterns, attrVar, new bool[operandPatterns.Length], new Term[operandPatterns.Length]);
            for (var i = 0; i < operandPatterns.Length; i++)
            {
                site.Fresh[i] = operandPatterns[i] is PatternNode.Variable v && !_values.ContainsKey(v.Var)
                    && operandPatterns.Sum(p => Occurrences(p, v.Var)) == 1;
                if (Build(operandPatterns[i]) is not { } term) return null;
                site.Operands[i] = term;
            }
            _lastSite = site;
            return Solve(site, redrawFirst: false);
        }

        /// <summary>
        /// The root's leaves drawn again (the rest kept): for a rule whose condition is on the
        /// root's own operands (a per-channel bias after a conv), a cheaper next candidate than a
        /// whole new instance. False when the root has no leaves of its own or none fits.
        /// </summary>
        public Graph? RedrawRoot(IReadOnlyList<PatternNode> entries)
        {
            if (entries.Count != 1 || _lastSite is not { } site || !site.Fresh.Any(f => f)) return null;
            if (site.AttrVar is { } a) _attrs.Remove(a);
            return Solve(site, redrawFirst: true) is { } root ? Materialize([root]) : null;
        }

        private Term? Solve(Site site, bool redrawFirst)
        {
            for (var attempt = 0; attempt < LocalRetries; attempt++)
            {
                if (redrawFirst || attempt > 0) Redraw(site);
                var types = site.Operands.Select(o => o.Type).ToArray();
                var attrs = site.AttrVar is { } av && _attrs.TryGetValue(av, out var known) ? known
                    : site.AttrVar is not null ? AttributeSampler.Sample(site.Def, types, r, _maxDim) : Attrs.Empty;
                var inferred = OpCatalog.Infer(site.Node.Op, types, attrs);
                if (inferred.Succeeded && inferred.Types!.Count == 1 && inferred.Types[0] is TensorType { IsStatic: true } result
                    && result.Rank <= 5 && result.ElementCount <= 4096)
                {
                    if (site.AttrVar is { } a) _attrs[a] = attrs;
                    _shapes.Add([.. result.Shape]);
                    return new Apply(site.Node.Op, attrs, [.. site.Operands], result);
                }
            }
            return null;
        }

        private void Redraw(Site site)
        {
            for (var i = 0; i < site.Operands.Length; i++)
            {
                if (!site.Fresh[i] || r.Next(2) == 0) continue;
                var previous = i > 0 ? site.Operands[i - 1].Type : null;
                site.Operands[i] = _values[((PatternNode.Variable)site.Patterns[i]).Var] = NewLeaf(previous);
            }
        }

        private static int Occurrences(PatternNode node, Var v) => node switch
        {
            PatternNode.Variable x => x.Var == v ? 1 : 0,
            PatternNode.Node n => n.Children.Sum(c => Occurrences(c, v)),
            _ => 0,
        };

        private Leaf NewLeaf(TensorType? sibling)
        {
            var shape = LeafShape(sibling);
            _shapes.Add(shape);
            var type = new TensorType(DType.Float32, shape);
            var name = $"v{_leaves++}";
            var kind = r.Next(10) switch { < 6 => LeafKind.Input, < 8 => LeafKind.Weight, _ => LeafKind.Constant };
            if (kind == LeafKind.Constant)
            {
                var count = (int)type.ElementCount;
                var fill = r.Next(4);
                var values = Enumerable.Range(0, count).Select(_ => fill switch { 0 => 0.0, 1 => 1.0, 2 => Math.Round(r.NextDouble() * 4 - 2, 2), _ => 0.5 }).ToArray();
                if (fill == 3) for (var i = 0; i < count; i++) values[i] = Math.Round(r.NextDouble() * 4 - 2, 2);
                return new Leaf(name, type, kind, values, null, null);
            }
            if (kind == LeafKind.Input && r.Next(5) == 0)
            {
                var bound = (float)Math.Round(r.NextDouble() * 80, 1);
                return r.Next(5) switch
                {
                    0 => new Leaf(name, type, kind, null, "relu", null),
                    1 => new Leaf(name, type, kind, null, "abs", null),
                    2 => new Leaf(name, type, kind, null, "sigmoid", null),
                    3 => new Leaf(name, type, kind, null, "tanh", null),
                    _ => new Leaf(name, type, kind, null, "clamp", new Attrs { { "min", -bound }, { "max", bound } }),
                };
            }
            return new Leaf(name, type, kind, null, null, null);
        }

        private int[] LeafShape(TensorType? sibling)
        {
            if (_shapes.Count == 0) return Fresh();
            var seen = _shapes[r.Next(_shapes.Count)];
            return r.Next(10) switch
            {
                < 3 => Fresh(),
                < 5 => [.. seen],
                < 8 => Broadcastable(seen),
                _ => sibling is { } s ? [.. s.Shape] : [.. seen],
            };
        }

        /// <summary>A random shape; half its dims are dims already used, so operands tend to agree.</summary>
        private int[] Fresh()
        {
            var used = _shapes.SelectMany(s => s).Where(d => d <= _maxDim).ToArray();
            return Enumerable.Range(0, r.Next(0, _maxRank + 1))
                .Select(_ => used.Length > 0 && r.Next(2) == 0 ? used[r.Next(used.Length)] : r.Next(1, _maxDim + 1)).ToArray();
        }

        /// <summary>A shape that broadcasts against <paramref name="shape"/> to it: leading dims dropped, dims set to 1.</summary>
        private int[] Broadcastable(int[] shape)
        {
            var drop = r.Next(0, shape.Length + 1);
            return shape.Skip(drop).Select(d => r.Next(2) == 0 ? 1 : d).ToArray();
        }

        private Graph Materialize(IReadOnlyList<Term> roots)
        {
            var g = new GraphBuilder("lhs");
            var written = new Dictionary<Term, Value>(ReferenceEqualityComparer.Instance);
            Value Write(Term term)
            {
                if (written.TryGetValue(term, out var done)) return done;
                var value = term switch
                {
                    Leaf { Kind: LeafKind.Constant } c => g.Const(c.Type, c.Values!),
                    Leaf { Kind: LeafKind.Weight } w => g.Weight(w.Name, w.Type),
                    Leaf { Wrapper: { } op } l => g.Op(op, [g.Input(l.Name, l.Type)], l.WrapperAttrs),
                    Leaf l => g.Input(l.Name, l.Type),
                    Apply a => g.Op(a.Op, a.Operands.Select(Write).ToArray(), a.Attrs.Count > 0 ? a.Attrs : null),
                    _ => throw new InvalidOperationException("unknown term"),
                };
                return written[term] = value;
            }
            return g.Build([.. roots.Select(Write)]);
        }
    }
}

using System.Globalization;
using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

/// <summary>
/// The arithmetic language of egg's math tests, defined on the generic engine: numbers and
/// symbols as payload leaves, the usual operators, derivative <c>d</c> and integral <c>i</c>.
/// </summary>
internal static class MathLanguage
{
    public static readonly Language Language = new(
        [
            new("+", 2), new("-", 2), new("*", 2), new("/", 2), new("pow", 2),
            new("d", 2), new("i", 2), new("ln", 1), new("sqrt", 1), new("sin", 1), new("cos", 1),
        ],
        atom => double.TryParse(atom, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? new ENode("num", n)
            : char.IsLetter(atom[0]) && atom.All(char.IsLetterOrDigit) ? new ENode("sym", atom)
            : null);

    public static Term Parse(string text) => Term.Parse(Language, text);

    public static EGraph<double?> NewEGraph() => new(new ConstantFolding(), Language);

    /// <summary>The class is a known non-zero constant, or holds a symbol assumed non-zero.</summary>
    public static Condition<double?> IsNotZero(string v, IReadOnlySet<string> nonZeroSymbols) =>
        (g, _, s) => g[s[v]].Data is { } value
            ? value != 0
            : g[s[v]].Nodes.Any(n => n.Op == "sym" && nonZeroSymbols.Contains((string)n.Payload!));

    public static Condition<double?> IsSym(string v) => (g, _, s) => g[s[v]].Nodes.Any(n => n.Op == "sym");

    public static Condition<double?> IsConst(string v) => (g, _, s) => g[s[v]].Data is not null;

    /// <summary>?c is a constant, or a symbol other than ?x: its derivative by ?x is 0.</summary>
    public static Condition<double?> IsConstOrDistinctSym(string c, string x) =>
        (g, e, s) => g.Find(s[c]) != g.Find(s[x]) && (IsConst(c)(g, e, s) || IsSym(c)(g, e, s));

    public static Rewrite<double?>[] Rules(params string[] nonZeroSymbols)
    {
        var nonZero = nonZeroSymbols.ToHashSet();
        Rewrite<double?> Rw(string name, string l, string r, params Condition<double?>[] c) =>
            Rewrite<double?>.Parse(Language, name, l, r, c);
        return
        [
            Rw("comm-add", "(+ ?a ?b)", "(+ ?b ?a)"),
            Rw("comm-mul", "(* ?a ?b)", "(* ?b ?a)"),
            Rw("assoc-add", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)"),
            Rw("assoc-mul", "(* ?a (* ?b ?c))", "(* (* ?a ?b) ?c)"),
            Rw("sub-canon", "(- ?a ?b)", "(+ ?a (* -1 ?b))"),
            Rw("div-canon", "(/ ?a ?b)", "(* ?a (pow ?b -1))", IsNotZero("?b", nonZero)),
            Rw("zero-add", "(+ ?a 0)", "?a"),
            Rw("zero-mul", "(* ?a 0)", "0"),
            Rw("one-mul", "(* ?a 1)", "?a"),
            Rw("cancel-sub", "(- ?a ?a)", "0"),
            Rw("cancel-div", "(/ ?a ?a)", "1", IsNotZero("?a", nonZero)),
            Rw("double", "(+ ?a ?a)", "(* 2 ?a)"),
            Rw("distribute", "(* ?a (+ ?b ?c))", "(+ (* ?a ?b) (* ?a ?c))"),
            Rw("factor", "(+ (* ?a ?b) (* ?a ?c))", "(* ?a (+ ?b ?c))"),
            Rw("pow-mul", "(* (pow ?a ?b) (pow ?a ?c))", "(pow ?a (+ ?b ?c))"),
            Rw("pow0", "(pow ?x 0)", "1", IsNotZero("?x", nonZero)),
            Rw("pow1", "(pow ?x 1)", "?x"),
            Rw("pow2", "(pow ?x 2)", "(* ?x ?x)"),
            Rw("pow-recip", "(pow ?x -1)", "(/ 1 ?x)", IsNotZero("?x", nonZero)),
            Rw("recip-mul-div", "(* ?x (/ 1 ?x))", "1", IsNotZero("?x", nonZero)),
            Rw("d-variable", "(d ?x ?x)", "1", IsSym("?x")),
            Rw("d-constant", "(d ?x ?c)", "0", IsSym("?x"), IsConstOrDistinctSym("?c", "?x")),
            Rw("d-add", "(d ?x (+ ?a ?b))", "(+ (d ?x ?a) (d ?x ?b))"),
            Rw("d-mul", "(d ?x (* ?a ?b))", "(+ (* ?a (d ?x ?b)) (* ?b (d ?x ?a)))"),
            Rw("d-sin", "(d ?x (sin ?x))", "(cos ?x)"),
            Rw("d-cos", "(d ?x (cos ?x))", "(* -1 (sin ?x))"),
            Rw("d-ln", "(d ?x (ln ?x))", "(/ 1 ?x)", IsNotZero("?x", nonZero)),
            Rw("i-one", "(i 1 ?x)", "?x"),
            Rw("i-power-const", "(i (pow ?x ?c) ?x)", "(/ (pow ?x (+ ?c 1)) (+ ?c 1))", IsConst("?c")),
            Rw("i-cos", "(i (cos ?x) ?x)", "(sin ?x)"),
            Rw("i-sin", "(i (sin ?x) ?x)", "(* -1 (cos ?x))"),
            Rw("i-sum", "(i (+ ?f ?g) ?x)", "(+ (i ?f ?x) (i ?g ?x))"),
            Rw("i-dif", "(i (- ?f ?g) ?x)", "(- (i ?f ?x) (i ?g ?x))"),
            Rw("i-parts", "(i (* ?a ?b) ?x)", "(- (* ?a (i ?b ?x)) (i (* (d ?x ?a) (i ?b ?x)) ?x))"),
        ];
    }

    /// <summary>
    /// Constant folding: a class's data is its value when some node computes one exactly; the
    /// class is then given the constant and pruned to its leaves.
    /// </summary>
    internal sealed class ConstantFolding : IAnalysis<double?>
    {
        public double? Make(EGraph<double?> egraph, ENode node)
        {
            if (node.Op == "num")
            {
                return (double)node.Payload!;
            }
            if (node.Arity != 2 || egraph[node.Children[0]].Data is not { } a || egraph[node.Children[1]].Data is not { } b)
            {
                return null;
            }
            return node.Op switch
            {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "/" when b != 0 => a / b,
                _ => null,
            };
        }

        public MergeResult Merge(ref double? into, double? from)
        {
            if (into is null)
            {
                into = from;
                return new MergeResult(from is not null, false);
            }
            if (from is { } f && Math.Abs(f - into.Value) > 1e-9 * Math.Max(1, Math.Abs(f)))
            {
                throw new InvalidOperationException($"unsound merge of constants {into} and {from}");
            }
            return new MergeResult(false, from is null);
        }

        public void Modify(EGraph<double?> egraph, EClassId id)
        {
            if (egraph[id].Data is { } value)
            {
                var constant = egraph.Add(new ENode("num", value));
                egraph.Union(id, constant);
                egraph[id].RemoveNodes(n => !n.IsLeaf);
            }
        }
    }
}

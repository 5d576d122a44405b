using DyCompile.IR;
using DyCompile.Passes.Rules;

namespace DyCompile.Testing;

/// <summary>
/// A rule whose right side is perturbed at one site: the <see cref="Site"/>-th place (in pre-order
/// over the proposed right sides) where <see cref="Kind"/> applies. Where a match has no such
/// site the mutant proposes nothing.
/// </summary>
public sealed record RuleMutant(TensorRule Original, MutationKind Kind, int Site)
{
    private static readonly HashSet<string> Commutative = ["add", "mul", "maximum", "minimum", "eq", "ne", "logical_and", "logical_or"];

    /// <summary>
    /// Ops whose result is fixed by their operand and result types: a change of their attributes
    /// that keeps the type (which the applier insists on) computes the same values, so such a
    /// mutant could not be killed by any check.
    /// </summary>
    private static readonly HashSet<string> ShapeDetermined = ["reshape", "expand", "squeeze", "unsqueeze"];

    public override string ToString() => $"{Original.Name}: {Kind} #{Site}";

    /// <summary>The mutant as a rule with the original's kind, tolerance and claims.</summary>
    public TensorRule ToRule()
    {
        var rule = new TensorRule($"{Original.Name}~{Kind}{Site}", Original.Kind, Original.Searcher,
            m => Original.Build(m) is { } result ? Mutate(result) : null).Within(Original.Tolerance).Describe(ToString());
        if (Original.PreservesNonFinite) rule.KeepsNonFinite();
        if (Original.RefinesUnderflow) rule.RefinesUnderflowOfLeftSide();
        return rule;
    }

    /// <summary>How many sites of each kind a right side offers.</summary>
    public static IReadOnlyDictionary<MutationKind, int> Sites(RuleResult result) =>
        Enum.GetValues<MutationKind>().ToDictionary(k => k, k =>
        {
            var mutator = new Mutator(k, int.MaxValue);
            foreach (var (_, rhs) in result.Rewrites) mutator.Visit(rhs);
            return mutator.Seen;
        });

    private RuleResult? Mutate(RuleResult result)
    {
        var mutator = new Mutator(Kind, Site);
        var rewrites = result.Rewrites.Select(r => (r.Target, mutator.Visit(r.Rhs))).ToArray();
        return mutator.Done ? new RuleResult(rewrites) : null;
    }

    private sealed class Mutator(MutationKind kind, int site)
    {
        public int Seen { get; private set; }

        public bool Done { get; private set; }

        public Rhs Visit(Rhs rhs)
        {
            if (kind == MutationKind.Negate)
            {
                if (Take()) return Rhs.Call("neg", rhs);
                return rhs;
            }
            switch (rhs)
            {
                case Rhs.Literal l when kind == MutationKind.ChangeConstant:
                    return Take() ? new Rhs.Literal(new ConstValue(l.Value.Type, new ConstPayload([.. l.Value.Payload.Values.Select(v => v + 1)]))) : rhs;
                case Rhs.Apply a:
                    if (kind == MutationKind.SwapOperands && a.Operands.Count >= 2 && !Commutative.Contains(a.Op) && Take())
                        return a with { Operands = [a.Operands[1], a.Operands[0], .. a.Operands.Skip(2)] };
                    if (kind == MutationKind.DropTerm)
                        foreach (var operand in a.Operands)
                            if (Take()) return operand;
                    if (kind == MutationKind.ChangeAttribute && !ShapeDetermined.Contains(a.Op))
                        foreach (var (name, value) in a.Attrs)
                            foreach (var changed in Changes(value))
                                if (Take()) return a with { Attrs = With(a.Attrs, name, changed) };
                    return a with { Operands = [.. a.Operands.Select(Visit)] };
                default:
                    return rhs;
            }
        }

        private bool Take()
        {
            if (Done) return false;
            if (Seen++ != site) return false;
            Done = true;
            return true;
        }

        private static IEnumerable<AttrValue> Changes(AttrValue value)
        {
            switch (value)
            {
                case IntAttr i:
                    yield return new IntAttr(i.Value + 1);
                    break;
                case IntsAttr { Values.Length: > 0 } list:
                    var reversed = list.Values.Reverse().ToArray();
                    if (!reversed.SequenceEqual(list.Values)) yield return new IntsAttr([.. reversed]);
                    yield return new IntsAttr(list.Values.SetItem(list.Values.Length - 1, list.Values[^1] + 1));
                    break;
                case FloatAttr f:
                    yield return new FloatAttr(f.Value * 2 + 0.5f);
                    break;
                case BoolAttr b:
                    yield return new BoolAttr(!b.Value);
                    break;
            }
        }

        private static Attrs With(Attrs attrs, string name, AttrValue value)
        {
            var copy = new Attrs();
            foreach (var (key, old) in attrs) copy.Add(key, key == name ? value : old);
            return copy;
        }
    }
}

namespace DyCompile.IR;

/// <summary>What an elementwise op computes for one element, as an expression over its operands
/// (<see cref="ScalarOperand"/> i is operand i of the op) and its float attributes. It is the one
/// description every backend renders into its fused loops and kernels; the op's eager kernel
/// computes the same function (a catalog test holds the two together on random inputs).</summary>
public sealed record ScalarFormula(ScalarExpr Body)
{
    /// <summary>Whether the formula yields a predicate (a comparison op: its result tensor is bool).</summary>
    public bool IsPredicate => Body is ScalarApply a && a.Function.IsPredicate();

    /// <summary>Every problem with the formula as the body of <paramref name="op"/>: an operand index
    /// out of range, an attribute the op does not have or that is not a float, a predicate where a
    /// number is expected or the reverse.</summary>
    public IEnumerable<string> Check(OpDef op)
    {
        var problems = new List<string>();
        Walk(Body, expectPredicate: IsPredicate);
        return problems;

        void Walk(ScalarExpr e, bool expectPredicate)
        {
            switch (e)
            {
                case ScalarOperand { Index: var i }:
                    if (i < 0 || i >= op.Operands.Length) problems.Add($"operand {i} out of range (the op has {op.Operands.Length})");
                    // A bool operand (where's condition) is a predicate; the formula may test it directly.
                    break;
                case ScalarAttribute { Name: var name }:
                    if (op.FindAttribute(name) is not { Kind: AttrKind.Float }) problems.Add($"'{name}' is not a float attribute of {op.Name}");
                    if (expectPredicate) problems.Add($"attribute '{name}' used as a predicate");
                    break;
                case ScalarLiteral:
                    if (expectPredicate) problems.Add("a literal used as a predicate");
                    break;
                case ScalarApply a:
                    if (a.Function.IsPredicate() != expectPredicate)
                        problems.Add($"{a.Function} gives a {(a.Function.IsPredicate() ? "predicate" : "number")} where a {(expectPredicate ? "predicate" : "number")} is expected");
                    for (var k = 0; k < a.Arguments.Length; k++) Walk(a.Arguments[k], a.Function.TakesPredicate(k));
                    break;
            }
        }
    }

    /// <summary>Every operand index the formula reads.</summary>
    public IEnumerable<int> OperandsRead() => Leaves(Body).OfType<ScalarOperand>().Select(o => o.Index).Distinct();

    private static IEnumerable<ScalarExpr> Leaves(ScalarExpr e) =>
        e is ScalarApply a ? a.Arguments.SelectMany(Leaves) : [e];
}

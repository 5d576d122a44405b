using DyCompile.IR;
using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Rules;

/// <summary>
/// The right side of one tensor rewrite, built by the rule for one match: existing e-classes,
/// new op applications and constants. It is type-checked as a whole before anything is added,
/// so a rule that would change a value's type never touches the e-graph.
/// </summary>
public abstract record Rhs
{
    private Rhs()
    {
    }

    /// <summary>An existing e-class.</summary>
    public sealed record Class(EClassId Id) : Rhs;

    /// <summary>A new application of an IR op.</summary>
    public sealed record Apply(string Op, Attrs Attrs, IReadOnlyList<Rhs> Operands) : Rhs;

    /// <summary>A literal.</summary>
    public sealed record Literal(ConstValue Value) : Rhs;

    public static implicit operator Rhs(EClassId id) => new Class(id);

    public static Rhs Call(string op, params Rhs[] operands) => new Apply(op, Attrs.Empty, operands);

    public static Rhs Call(string op, Attrs attrs, params Rhs[] operands) => new Apply(op, attrs, operands);

    /// <summary>A 0-d f32 tensor.</summary>
    public static Rhs Scalar(float value) => new Literal(new ConstValue(IRType.F32(), ConstPayload.Of(value)));

    /// <summary>The result type, or null when some op rejects its operands.</summary>
    public IRType? InferType(EGraph<TensorData> egraph) => this switch
    {
        Class c => egraph[c.Id].Data.Type,
        Literal l => l.Value.Type,
        Apply a => InferApply(egraph, a),
        _ => null,
    };

    private static IRType? InferApply(EGraph<TensorData> egraph, Apply a)
    {
        var types = new List<IRType>();
        foreach (var operand in a.Operands)
        {
            if (operand.InferType(egraph) is not { } t) return null;
            types.Add(t);
        }
        var result = OpCatalog.Infer(a.Op, types, a.Attrs);
        return result.Succeeded && result.Types!.Count == 1 && OpCatalog.Get(a.Op).ResultCount == 1 ? result.Types[0] : null;
    }

    /// <summary>Adds the expression to the e-graph and returns its class.</summary>
    public EClassId AddTo(EGraph<TensorData> egraph) => this switch
    {
        Class c => egraph.Find(c.Id),
        Literal l => egraph.Add(new ENode(TensorLanguage.ConstOp, l.Value)),
        Apply a => TensorLanguage.AddOp(egraph, a.Op, a.Attrs, a.Operands.Select(o => o.AddTo(egraph)).ToArray()),
        _ => throw new InvalidOperationException("unknown right side"),
    };
}

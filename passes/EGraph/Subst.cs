namespace DyCompile.Passes.EGraph;

/// <summary>A substitution: the e-class each pattern variable is bound to by one match.</summary>
public sealed class Subst
{
    private readonly Var[] _vars;
    private readonly EClassId[] _ids;

    internal Subst(Var[] vars, EClassId[] ids)
    {
        _vars = vars;
        _ids = ids;
    }

    public IReadOnlyList<Var> Vars => _vars;

    /// <summary>The class bound to a variable, by name (<c>"?a"</c>).</summary>
    public EClassId this[string name] => this[new Var(name)];

    public EClassId this[Var v] =>
        TryGet(v, out var id) ? id : throw new KeyNotFoundException($"{v} is not bound by this match");

    public bool TryGet(Var v, out EClassId id)
    {
        var index = Array.IndexOf(_vars, v);
        id = index >= 0 ? _ids[index] : default;
        return index >= 0;
    }

    /// <summary>This substitution with one more binding (used by multi-pattern appliers).</summary>
    internal Subst With(Var v, EClassId id) => new([.. _vars, v], [.. _ids, id]);

    public override string ToString() =>
        "{" + string.Join(", ", _vars.Select((v, i) => $"{v}: {_ids[i]}")) + "}";
}

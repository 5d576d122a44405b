namespace DyCompile.Passes.EGraph;

/// <summary>A substitution: the e-class each pattern variable is bound to by one match.</summary>
public sealed class Subst
{
    private readonly Var[] _vars;
    private readonly EClassId[] _ids;
    private readonly int _offset;

    internal Subst(Var[] vars, EClassId[] ids)
        : this(vars, ids, 0)
    {
    }

    /// <summary>Binds <c>vars[i]</c> to <c>ids[offset + i]</c>; many matches share one id array.</summary>
    internal Subst(Var[] vars, EClassId[] ids, int offset)
    {
        _vars = vars;
        _ids = ids;
        _offset = offset;
    }

    public IReadOnlyList<Var> Vars => _vars;

    /// <summary>The variables, shared by every match of one searcher (appliers key caches on it).</summary>
    internal Var[] VarArray => _vars;

    /// <summary>The class bound to a variable, by name (<c>"?a"</c>).</summary>
    public EClassId this[string name] => this[new Var(name)];

    public EClassId this[Var v] =>
        TryGet(v, out var id) ? id : throw new KeyNotFoundException($"{v} is not bound by this match");

    /// <summary>The class bound to the variable at <paramref name="index"/> in <see cref="Vars"/>.</summary>
    internal EClassId At(int index) => _ids[_offset + index];

    public bool TryGet(Var v, out EClassId id)
    {
        var index = Array.IndexOf(_vars, v);
        id = index >= 0 ? _ids[_offset + index] : default;
        return index >= 0;
    }

    /// <summary>This substitution with one more binding (used by multi-pattern appliers).</summary>
    internal Subst With(Var v, EClassId id)
    {
        var ids = new EClassId[_vars.Length + 1];
        Array.Copy(_ids, _offset, ids, 0, _vars.Length);
        ids[^1] = id;
        return new Subst([.. _vars, v], ids);
    }

    public override string ToString() =>
        "{" + string.Join(", ", _vars.Select((v, i) => $"{v}: {At(i)}")) + "}";
}

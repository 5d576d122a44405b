namespace DyCompile.Testing;

/// <summary>How a mutant perturbs a rule's right side.</summary>
public enum MutationKind
{
    /// <summary>The first two operands of a non-commutative op change places.</summary>
    SwapOperands,

    /// <summary>An op application is replaced by one of its operands.</summary>
    DropTerm,

    /// <summary>Every element of a literal grows by one.</summary>
    ChangeConstant,

    /// <summary>An attribute changes: an int (axis, transpose dim) by one, an int list reversed or its last element by one, a float grown, a bool flipped.</summary>
    ChangeAttribute,

    /// <summary>The whole right side is negated.</summary>
    Negate,
}

namespace DyCompile.IR;

/// <summary>What defines a value.</summary>
public enum ValueKind
{
    /// <summary>A block parameter (<c>%x</c> in a block header); graph inputs are these too.</summary>
    Parameter,
    /// <summary>A result of a node.</summary>
    Result,
    /// <summary>A program weight (<c>@w</c>), visible in every block.</summary>
    Weight,
}

/// <summary>An SSA value. Values are compared by identity; their names are unique within a
/// program (the verifier checks this) and are printed as <c>%name</c> or <c>@name</c>.</summary>
public sealed class Value(string name, IRType type, ValueKind kind)
{
    public string Name { get; } = name;

    public IRType Type { get; } = type;

    public ValueKind Kind { get; } = kind;

    public bool IsWeight => Kind == ValueKind.Weight;

    /// <summary>The reference as printed: <c>%name</c>, or <c>@name</c> for a weight.</summary>
    public string Ref => (IsWeight ? "@" : "%") + Name;

    public override string ToString() => $"{Ref}: {Type}";
}

namespace DyCompile.IR;

/// <summary>The three host scalar types.</summary>
public enum ScalarKind
{
    Int,
    Float,
    Bool,
}

/// <summary>A host scalar: <c>int</c> is a C# int, <c>float</c> a C# float, <c>bool</c> a C# bool.
/// Host scalars live on the host and drive control flow.</summary>
public sealed record ScalarType(ScalarKind Kind) : IRType
{
    public override string ToString() => Kind switch
    {
        ScalarKind.Int => "int",
        ScalarKind.Float => "float",
        _ => "bool",
    };
}

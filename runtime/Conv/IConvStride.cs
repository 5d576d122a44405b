namespace DyCompile.Runtime;

/// <summary>A convolution stride as a type, so a generic kernel instantiated over it has the stride
/// as a constant (its loads at fixed offsets).</summary>
internal interface IConvStride
{
    static abstract int Step { get; }
}

internal readonly struct UnitStride : IConvStride
{
    public static int Step => 1;
}

internal readonly struct DoubleStride : IConvStride
{
    public static int Step => 2;
}

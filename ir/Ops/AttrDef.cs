namespace DyCompile.IR;

/// <summary>An attribute an op requires: its name (the kernel parameter name) and kind.</summary>
public sealed record AttrDef(string Name, AttrKind Kind)
{
    public static AttrDef Int(string name) => new(name, AttrKind.Int);
    public static AttrDef Float(string name) => new(name, AttrKind.Float);
    public static AttrDef Bool(string name) => new(name, AttrKind.Bool);
    public static AttrDef Ints(string name) => new(name, AttrKind.Ints);
    public static AttrDef DType(string name) => new(name, AttrKind.DType);
}

namespace DyCompile.Runtime;

/// <summary>Marks the one eager kernel of an IR op. The kernel is the op's reference
/// semantics: the interpreter calls it, and the IR catalog is checked against it.</summary>
/// <remarks>Binding convention: tensor operands come first (a <c>Tensor[]</c> parameter is a
/// variadic operand list), then the op's attributes; parameter names are the attribute names
/// of the IR text form.</remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OpKernelAttribute(string op) : Attribute
{
    public string Op { get; } = op;
}

/// <summary>Marks API sugar (an operator, an instance method, a convenience overload) that
/// means exactly the named op. The frontend maps such a call to that op; it is not a kernel.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class LowersToAttribute(string op) : Attribute
{
    public string Op { get; } = op;
}

namespace DyCompile.Runtime.Nn;

/// <summary>Names the kernel parameter a module property supplies when the module's
/// <c>Forward</c> (marked <see cref="LowersToAttribute"/>) is compiled to that kernel's op.</summary>
/// <remarks>The convention: the argument of <c>Forward</c> is the op's first operand; every other
/// kernel parameter (tensor operand or attribute) is bound by name from the module — first from a
/// property marked with this attribute, else from the public property whose name equals the
/// parameter name up to case (<c>weight</c> ← <c>Weight</c>, <c>eps</c> ← <c>Eps</c>).</remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KernelArgumentAttribute(string parameter) : Attribute
{
    public string Parameter { get; } = parameter;
}

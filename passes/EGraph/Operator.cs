namespace DyCompile.Passes.EGraph;

/// <summary>
/// An operator of a <see cref="Language"/>: written first in a list, <c>(name child...)</c>, with
/// exactly <see cref="Arity"/> children. An arity-0 operator is a keyword atom such as <c>true</c>.
/// </summary>
public sealed record Operator(string Name, int Arity);

namespace DyCompile.Runtime;

/// <summary>Marks a model class for compilation: a class deriving from <see cref="Nn.Module"/>
/// whose forward methods (plain C#, branching and looping on tensor values) the DyCompile
/// frontend lowers to an IR program. The supported subset is described in docs/language.md.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DyCompileAttribute : Attribute
{
    /// <summary>Report every construct outside the compiled subset as an error instead of running
    /// it eagerly on the host.</summary>
    public bool Strict { get; set; }
}

namespace DyCompile.Runtime;

/// <summary>Marks a model class for compilation: a class deriving from <see cref="Nn.Module"/>
/// whose forward method (plain C#, branching and looping on tensor values) the DyCompile
/// frontend lowers to an IR program. The supported subset is described in docs/language.md.
/// The properties say what the <c>dycompile</c> build step needs to compile the model ahead of
/// time (docs/build-step.md); the JIT API takes the same information as arguments instead.
/// <code>
/// [DyCompile(Inputs = ["f32[?,784]", "float"], Factory = nameof(Create))]
/// public sealed class Classifier : Module
/// {
///     public static Classifier Create() => new(new Random(0));
///     public Classifier(Random g) { ... }
///     public (Tensor Logits, int Exit) Forward(Tensor x, float threshold) { ... }
/// }
/// // after `dotnet build`, with no compiler at run time:
/// var forward = model.Compiled&lt;Func&lt;Tensor, float, (Tensor, int)&gt;&gt;();
/// </code></summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DyCompileAttribute : Attribute
{
    /// <summary>Report every construct outside the compiled subset as an error instead of running
    /// it eagerly on the host.</summary>
    public bool Strict { get; set; }

    /// <summary>The type of each parameter of the forward method, in order: a tensor as
    /// <c>dtype[dims]</c> (<c>"f32[1,784]"</c>; <c>?</c> for a size known only at run time, such as
    /// a dynamic batch: <c>"f32[?,784]"</c>; dtypes f32, i32, i64, bool), a host scalar as
    /// <c>"int"</c>, <c>"float"</c> or <c>"bool"</c>. Host scalars may be left out at the end; the
    /// build step needs every tensor parameter's type.</summary>
    public string[] Inputs { get; set; } = [];

    /// <summary>The code generation targets the build step compiles the model for
    /// (<c>"cpu"</c> by default).</summary>
    public string[] Targets { get; set; } = ["cpu"];

    /// <summary>The method to compile (<c>"Forward"</c> by default).</summary>
    public string Method { get; set; } = "Forward";

    /// <summary>How the build step gets an instance to read weights and readonly fields from: the
    /// name of a public static parameterless method of the model class that returns one. When
    /// null, the model's public parameterless constructor is used. At run time the compiled form
    /// reads the weights (parameters and buffers) of whatever instance it is bound to, so the
    /// instance only has to have the same structure.</summary>
    public string? Factory { get; set; }
}

using DyCompile.Backends.Host;
using DyCompile.Runtime.Compiled;

namespace DyCompile.Compiler.Jit;

/// <summary>What one call of a compiled program needs for itself: a dispatcher instance (its
/// segment scratch buffers, the output buffers of its call sites) and its stop conditions, plus
/// the weights it is bound to. A state serves one call at a time; the program keeps idle states
/// in an <see cref="StatePool{TState}"/>.</summary>
internal sealed class ExecutionState(IHostProgram host, ExecutionControl control)
{
    public IHostProgram Host { get; } = host;

    public ExecutionControl Control { get; } = control;

    /// <summary>The binding <see cref="Host"/> was last bound to; null before the first call.</summary>
    public WeightBinding? Bound { get; private set; }

    public void BindTo(WeightBinding binding)
    {
        if (ReferenceEquals(Bound, binding)) return;
        Host.Bind(binding.Weights, binding.Prepared);
        Bound = binding;
    }
}

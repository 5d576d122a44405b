using System.Collections.Concurrent;
using DyCompile.Runtime.Nn;

namespace DyCompile.Runtime;

/// <summary>The run-time side of the <c>dycompile</c> build step: the code it generates
/// registers, from a module initializer, a binder for each <see cref="DyCompileAttribute"/> model
/// it compiled, and <see cref="Compiled{TDelegate}"/> binds one to an instance. This is plain
/// delegate lookup — no reflection, no code generation at run time — so it works under NativeAOT.
/// <code>
/// var forward = model.Compiled&lt;Func&lt;Tensor, float, (Tensor, int)&gt;&gt;();
/// var (logits, exit) = forward(x, 0.5f);
/// </code></summary>
public static class CompiledModels
{
    private static readonly ConcurrentDictionary<Type, Func<Module, Delegate>> _binders = new();

    /// <summary>Called by generated code: <paramref name="bind"/> makes the compiled forward of an
    /// instance of <paramref name="modelType"/>, bound to that instance's weights.</summary>
    public static void Register(Type modelType, Func<Module, Delegate> bind)
    {
        ArgumentNullException.ThrowIfNull(modelType);
        ArgumentNullException.ThrowIfNull(bind);
        _binders[modelType] = bind;
    }

    /// <summary>Whether the build step compiled the model's type into this process.</summary>
    public static bool IsCompiled(Module model) => _binders.ContainsKey(model.GetType());

    /// <summary>The build-time compiled forward method of <paramref name="model"/>, bound to the
    /// instance: it computes with the instance's current parameters and buffers (read again after
    /// any <see cref="Module.LoadStateDict"/> or <see cref="Tensor.MarkModified"/>). The delegate is
    /// safe to call from many threads at once; calls do not wait for each other
    /// (<see cref="Compiled.AheadOfTimeForward"/>), and result tensors belong to the caller.</summary>
    /// <exception cref="InvalidOperationException">The model's type was not compiled by the build
    /// step (the project does not reference DyCompile.Build, or the class is not marked
    /// <c>[DyCompile]</c>), or <typeparamref name="TDelegate"/> is not its forward signature.</exception>
    /// <exception cref="ArgumentException">The instance's weights do not have the shapes the
    /// model was compiled with.</exception>
    public static TDelegate Compiled<TDelegate>(this Module model) where TDelegate : Delegate
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!_binders.TryGetValue(model.GetType(), out var bind))
            throw new InvalidOperationException($"model '{model.GetType().FullName}' was not compiled ahead of time: reference the DyCompile.Build package and mark the class [DyCompile(Inputs = [...])]");
        var forward = bind(model);
        return forward as TDelegate
            ?? throw new InvalidOperationException($"model '{model.GetType().FullName}' was compiled with the forward signature {Describe(forward.GetType())}, not {Describe(typeof(TDelegate))}");
    }

    private static string Describe(Type delegateType)
    {
        if (!delegateType.IsGenericType) return delegateType.Name;
        var name = delegateType.Name[..delegateType.Name.IndexOf('`')];
        return $"{name}<{string.Join(", ", delegateType.GetGenericArguments().Select(Describe))}>";
    }
}

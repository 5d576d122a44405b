using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Compiler.Jit;

/// <summary>Where a compiled model's weights come from: the registered parameters and buffers of
/// the model instance, by state-dict name. When <see cref="Module.StateVersion"/> moves (a
/// <c>LoadStateDict</c> anywhere), <see cref="Current"/> reads the instance's tensors again, so the
/// compiled program computes with what the eager model would. Weights that are not in the state
/// dict (readonly tensor fields, a module's built-in zero bias) cannot be replaced and stay bound.</summary>
internal sealed class ModuleWeights
{
    private readonly Module _model;
    private readonly string?[] _stateNames;

    private ModuleWeights(Module model, string?[] stateNames)
    {
        _model = model;
        _stateNames = stateNames;
    }

    /// <summary>The tracker of <paramref name="weights"/> (program order) bound from <paramref name="model"/>; null when it is not a module.</summary>
    public static ModuleWeights? For(object model, IReadOnlyList<Tensor> weights)
    {
        if (model is not Module module) return null;
        var byTensor = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, tensor) in module.SaveStateDict()) byTensor.TryAdd(tensor, name);
        return new ModuleWeights(module, [.. weights.Select(w => byTensor.GetValueOrDefault(w))]);
    }

    /// <summary>The instance's tensors now, in program order (<paramref name="previous"/> where a
    /// weight is not in the state dict).</summary>
    public Tensor[] Current(Tensor[] previous)
    {
        var state = _model.SaveStateDict();
        var current = new Tensor[previous.Length];
        for (var i = 0; i < current.Length; i++)
            current[i] = _stateNames[i] is { } name && state.TryGetValue(name, out var t) && CompiledProgram.SameType(t, previous[i]) ? t : previous[i];
        return current;
    }
}

using DyCompile.Runtime;

namespace DyCompile.Compiler.Jit;

/// <summary>What a program lowered from a model instance knows beyond its IR: the instance (whose
/// parameters the compiled program follows) and the source line of each loop head.</summary>
internal sealed record ModelBinding(object Model, IReadOnlyDictionary<string, string> LoopSources)
{
    public ModuleWeights? Weights(IReadOnlyList<Tensor> ordered) => ModuleWeights.For(Model, ordered);
}

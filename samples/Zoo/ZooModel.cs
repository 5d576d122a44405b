using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Zoo;

/// <summary>One forward pass of a dynamic model: its output and the control-flow path it took,
/// written so that two runs took the same decisions exactly when their paths are equal
/// ("exit 2", "blocks 0 1 4 …", "steps 5").</summary>
public sealed record ZooRun(Tensor Output, string Path);

/// <summary>A model of the zoo: a module (so its state dict saves and loads) whose forward pass
/// makes decisions on tensor values. <see cref="Run"/> is the uniform entry point; each model
/// also has a typed <c>Forward</c> with its natural signature.</summary>
public abstract class ZooModel : Module
{
    /// <summary>A random input of the model's configured size (batch 1), drawn from <paramref name="random"/>.</summary>
    public abstract Tensor SampleInput(Random random);

    public abstract ZooRun Run(Tensor input);
}

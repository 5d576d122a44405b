using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Zoo.Layers;

/// <summary>The transformer MLP: Linear(dim → hidden), GELU, Linear(hidden → dim).</summary>
public sealed class FeedForward : Module
{
    public FeedForward(int dim, int hidden, Random random)
    {
        Up = RegisterModule("up", new Linear(dim, hidden, generator: random));
        Down = RegisterModule("down", new Linear(hidden, dim, generator: random));
    }

    public Linear Up { get; }

    public Linear Down { get; }

    public Tensor Forward(Tensor x) => Down.Forward(Up.Forward(x).Gelu());
}

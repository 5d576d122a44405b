using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Zoo.Layers;

/// <summary>A pre-norm transformer layer: x + attention(ln1(x)), then + mlp(ln2(·)).</summary>
public sealed class TransformerLayer : Module
{
    /// <param name="maxTokens">The longest sequence a causal pass may see (0: the layer is used
    /// without a causal mask only).</param>
    public TransformerLayer(int dim, int heads, int hidden, Random random, int maxTokens = 0)
    {
        Norm1 = RegisterModule("norm1", new LayerNorm(dim));
        Attention = RegisterModule("attention", new SelfAttention(dim, heads, random, maxTokens));
        Norm2 = RegisterModule("norm2", new LayerNorm(dim));
        Mlp = RegisterModule("mlp", new FeedForward(dim, hidden, random));
    }

    public LayerNorm Norm1 { get; }

    public SelfAttention Attention { get; }

    public LayerNorm Norm2 { get; }

    public FeedForward Mlp { get; }

    public Tensor Forward(Tensor x, bool causal)
    {
        x = x + Attention.Forward(Norm1.Forward(x), causal);
        return x + Mlp.Forward(Norm2.Forward(x));
    }
}

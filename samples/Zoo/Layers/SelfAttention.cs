using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Zoo.Layers;

/// <summary>Multi-head scaled dot-product self-attention over [batch, tokens, dim], optionally
/// causal (a token attends to itself and earlier tokens only; the layer is then built for at most
/// <c>maxTokens</c> tokens).</summary>
public sealed class SelfAttention : Module
{
    private readonly int _heads;

    /// <summary>The additive causal mask for the longest sequence, made once; a pass reads its
    /// top-left [tokens, tokens] corner (a forward pass allocates no arrays).</summary>
    private readonly Tensor _causalMask;

    public SelfAttention(int dim, int heads, Random random, int maxTokens = 0)
    {
        if (dim % heads != 0) throw new ArgumentException($"dim {dim} is not divisible by {heads} heads", nameof(heads));
        _heads = heads;
        _causalMask = CausalMask(maxTokens);
        Query = RegisterModule("query", new Linear(dim, dim, generator: random));
        Key = RegisterModule("key", new Linear(dim, dim, generator: random));
        ValueProjection = RegisterModule("value", new Linear(dim, dim, generator: random));
        Output = RegisterModule("output", new Linear(dim, dim, generator: random));
    }

    public Linear Query { get; }

    public Linear Key { get; }

    public Linear ValueProjection { get; }

    public Linear Output { get; }

    public Tensor Forward(Tensor x, bool causal)
    {
        int batch = x.Dim(0), tokens = x.Dim(1), dim = x.Dim(2), headDim = dim / _heads;
        var q = SplitHeads(Query.Forward(x), batch, tokens, headDim);
        var k = SplitHeads(Key.Forward(x), batch, tokens, headDim);
        var v = SplitHeads(ValueProjection.Forward(x), batch, tokens, headDim);
        var scores = TensorOps.MatMul(q, k.Transpose(2, 3)) * (1f / MathF.Sqrt(headDim));
        if (causal) scores = scores + _causalMask.Narrow(0, 0, tokens).Narrow(1, 0, tokens);
        var mixed = TensorOps.MatMul(scores.Softmax(-1), v);
        return Output.Forward(mixed.Transpose(1, 2).Reshape(batch, tokens, dim));
    }

    /// <summary>[batch, tokens, heads·headDim] → [batch, heads, tokens, headDim].</summary>
    private Tensor SplitHeads(Tensor t, int batch, int tokens, int headDim) =>
        t.Reshape(batch, tokens, _heads, headDim).Transpose(1, 2);

    /// <summary>[tokens, tokens]: 0 on and below the diagonal, −1e9 above (a large finite value, so a
    /// fully masked row could never turn into NaN).</summary>
    public static Tensor CausalMask(int tokens)
    {
        var mask = Tensor.Zeros(tokens, tokens);
        var m = mask.Floats;
        for (var i = 0; i < tokens; i++)
            for (var j = i + 1; j < tokens; j++) m[i * tokens + j] = -1e9f;
        return mask;
    }
}

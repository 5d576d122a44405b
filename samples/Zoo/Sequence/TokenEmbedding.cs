using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Zoo.Sequence;

/// <summary>Token plus learned position embeddings: [batch, tokens] ids → [batch, tokens, dim].</summary>
public sealed class TokenEmbedding : Module
{
    /// <summary>0, 1, …, maxTokens − 1: the position ids, made once (a forward pass allocates no arrays).</summary>
    private readonly Tensor _positionIds;

    public TokenEmbedding(int vocab, int maxTokens, int dim, Random random)
    {
        var positions = new long[maxTokens];
        for (var i = 0; i < maxTokens; i++) positions[i] = i;
        _positionIds = Tensor.FromArray(positions, maxTokens);
        Tokens = RegisterModule("tokens", new Embedding(vocab, dim, generator: random));
        Positions = RegisterModule("positions", new Embedding(maxTokens, dim, generator: random));
    }

    public Embedding Tokens { get; }

    public Embedding Positions { get; }

    public Tensor Forward(Tensor ids) => Tokens.Forward(ids) + Positions.Forward(_positionIds.Narrow(0, 0, ids.Dim(1)));
}

using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Zoo.Sequence;

/// <summary>Token plus learned position embeddings: [batch, tokens] ids → [batch, tokens, dim].</summary>
public sealed class TokenEmbedding : Module
{
    public TokenEmbedding(int vocab, int maxTokens, int dim, Random random)
    {
        Tokens = RegisterModule("tokens", new Embedding(vocab, dim, generator: random));
        Positions = RegisterModule("positions", new Embedding(maxTokens, dim, generator: random));
    }

    public Embedding Tokens { get; }

    public Embedding Positions { get; }

    public Tensor Forward(Tensor ids)
    {
        var positions = new long[ids.Dim(1)];
        for (var i = 0; i < positions.Length; i++) positions[i] = i;
        return Tokens.Forward(ids) + Positions.Forward(Tensor.FromArray(positions, positions.Length));
    }
}

namespace DyCompile.Runtime.Nn;

/// <summary>A lookup table of <c>numEmbeddings</c> rows of width <c>embeddingDim</c>, as
/// torch.nn.Embedding (weight initialized from N(0, 1); a padding row starts at zero).</summary>
public sealed class Embedding : Module
{
    public Embedding(int numEmbeddings, int embeddingDim, int? paddingIdx = null, Random? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(numEmbeddings);
        ArgumentOutOfRangeException.ThrowIfNegative(embeddingDim);
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        var weight = Init.StandardNormal(Init.Generator(generator), numEmbeddings, embeddingDim);
        if (paddingIdx is { } p)
        {
            var row = p < 0 ? p + numEmbeddings : p;
            if (row < 0 || row >= numEmbeddings)
                throw new ArgumentOutOfRangeException(nameof(paddingIdx), $"padding index {p} is outside {numEmbeddings} embeddings");
            weight.Floats.Slice(row * embeddingDim, embeddingDim).Clear();
            PaddingIdx = row;
        }
        RegisterParameter("weight", weight);
    }

    public int NumEmbeddings { get; }

    public int EmbeddingDim { get; }

    public int? PaddingIdx { get; }

    public Tensor Weight => Get("weight");

    /// <summary>Rows for integer (i32/i64) indices of any shape; the result is indices.shape + [dim].</summary>
    [LowersTo("embedding")]
    public Tensor Forward(Tensor indices) => TensorOps.Embedding(indices, Weight);
}

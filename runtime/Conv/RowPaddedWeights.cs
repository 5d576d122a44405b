namespace DyCompile.Runtime;

/// <summary>A convolution weight [out, in · kh · kw] whose rows the GEMM would read from one L1 set
/// (a row length that is a multiple of 1024 floats, see <see cref="AliasedRows"/>), copied once
/// with rows one cache line longer. The GEMM copies such rows per call otherwise, which on a
/// pointwise layer of many channels over a small plane (1024 → 1024 at 14 × 14: each weight is
/// used 196 times) costs about as much as the conflicts it avoids. Kept per weight tensor and
/// redone when its <see cref="Tensor.Version"/> moved (<see cref="WeightDerivedCache{T}"/>).</summary>
internal sealed class RowPaddedWeights
{
    private static readonly WeightDerivedCache<RowPaddedWeights> _cache = new();

    private RowPaddedWeights(Tensor weight)
    {
        var rows = weight.Dim(0);
        var depth = weight.Length / Math.Max(1, rows);
        Stride = AliasedRows.PaddedStride(depth);
        Data = new float[(long)rows * Stride];
        var source = weight.Floats;
        for (var r = 0; r < rows; r++) source.Slice(r * depth, depth).CopyTo(Data.AsSpan(r * Stride, depth));
    }

    /// <summary>The rows, <see cref="Stride"/> floats apart.</summary>
    public float[] Data { get; }

    public int Stride { get; }

    /// <summary>Whether the GEMM tile on this thread's SIMD path would read rows of
    /// <paramref name="depth"/> floats, <paramref name="rows"/> of them, from one set.</summary>
    public static bool Needed(int depth, int rows) =>
        KernelIsa.Current == SimdPath.Avx512 && AliasedRows.Conflict(depth, rows, Gemm.MR512);

    /// <summary>The padded copy of <paramref name="weight"/>, kept while the tensor lives and its version stays.</summary>
    public static RowPaddedWeights Cached(Tensor weight) => _cache.Get(weight, static w => new RowPaddedWeights(w));
}

namespace DyCompile.Runtime;

/// <summary>Where the products of a strided GEMM batch lie in their arrays: product i reads A_i
/// (m × k, row stride <see cref="Lda"/>) at AOffsets[i] and B_i at BOffsets[i] — k × n with row
/// stride <see cref="Ldb"/>, or with <see cref="TransB"/> n × k (Bᵀ stored row-major) — and
/// writes C_i (m × n, row stride <see cref="Ldc"/>) at COffsets[i], or at i·m·n without COffsets.
/// The offset arrays may be longer than <see cref="Count"/> (reused scratch).</summary>
internal readonly record struct GemmBatchLayout(int[] AOffsets, int Lda, int[] BOffsets, int Ldb, bool TransB, int[]? COffsets, int Ldc, int M, int N, int K, int Count)
{
    public long COffset(int i) => COffsets is null ? (long)i * M * N : COffsets[i];

    /// <summary>Elements from A_i's first to its last (what the span over it must hold).</summary>
    public int ASpan => M == 0 || K == 0 ? 0 : (M - 1) * Lda + K;

    public int BSpan => K == 0 || N == 0 ? 0 : TransB ? (N - 1) * Ldb + K : (K - 1) * Ldb + N;

    public int CSpan => M == 0 || N == 0 ? 0 : (M - 1) * Ldc + N;

    /// <summary>Throws unless every product lies inside arrays of the given lengths.</summary>
    public void Check(int aLength, int bLength, int cLength)
    {
        if (M < 0 || N < 0 || K < 0) throw new ArgumentOutOfRangeException(nameof(M), $"negative GEMM size m={M}, n={N}, k={K}");
        if (Lda < K || Ldb < (TransB ? K : N) || Ldc < N) throw new ArgumentException($"a leading dimension is smaller than its row (lda {Lda}, ldb {Ldb}, ldc {Ldc} for m={M}, n={N}, k={K})");
        if (AOffsets.Length < Count || BOffsets.Length < Count || (COffsets is not null && COffsets.Length < Count))
            throw new ArgumentException($"{Count} products need {Count} offsets of each operand");
        for (var i = 0; i < Count; i++)
            if (AOffsets[i] < 0 || (long)AOffsets[i] + ASpan > aLength || BOffsets[i] < 0 || (long)BOffsets[i] + BSpan > bLength
                || COffset(i) < 0 || COffset(i) + CSpan > cLength)
                throw new ArgumentException($"product {i} of the batch reads or writes past its operands");
    }
}

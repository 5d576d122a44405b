namespace DyCompile.Runtime;

/// <summary>Rows of A that the 12-row zmm tile would read from one L1 set. The tile reads A in
/// place, one cache line of each of its rows at a time; when the row stride is a multiple of
/// 4 KiB (1024 floats: a pointwise layer or a linear layer from 1024 or 2048 channels) all twelve
/// lines fall in the same set of the 8-way L1 and evict each other on every step. Such a block is
/// copied into a per-thread buffer whose rows are one cache line longer, so consecutive rows land
/// in consecutive sets. Measured on a Zen 4 (one process, layers alternating): a 1024 → 1024
/// pointwise layer at 14 × 14 ran at 169 GFLOP/s against 188–190 at 1008 or 1040 channels, and
/// a 128 × 256 product of depth 1024 at 75 GFLOP/s against 107; depth 512 (a 2 KiB stride, two
/// sets) showed no loss.</summary>
internal static unsafe class AliasedRows
{
    /// <summary>Row strides that are a multiple of this many floats map every row to one set.</summary>
    private const int SetStrideFloats = 1024;

    /// <summary>Floats a copied row is padded by: one cache line.</summary>
    private const int PadFloats = 16;

    [ThreadStatic] private static PackBuffer? _rows;

    /// <summary>Whether a block of <paramref name="rows"/> rows read by a tile of
    /// <paramref name="tileRows"/> rows at stride <paramref name="lda"/> needs the copy: more tile
    /// rows than the L1 has ways, all in one set.</summary>
    public static bool Conflict(int lda, int rows, int tileRows) => tileRows > 8 && rows > 8 && lda % SetStrideFloats == 0;

    /// <summary>A row stride for rows of <paramref name="depth"/> floats that maps consecutive rows
    /// to different sets: one cache line longer, two where one would land on a 4 KiB multiple.</summary>
    public static int PaddedStride(int depth)
    {
        var stride = depth + PadFloats;
        return stride % SetStrideFloats == 0 ? stride + PadFloats : stride;
    }

    /// <summary>Copies rows × depth floats from <paramref name="a"/> (row stride
    /// <paramref name="lda"/>) into this thread's buffer and returns it; its rows are
    /// <paramref name="stride"/> floats apart. The buffer is reused by the thread's next call.</summary>
    public static float* Copy(float* a, int lda, int rows, int depth, out int stride)
    {
        stride = PaddedStride(depth);
        var copy = (_rows ??= new PackBuffer()).Get(checked(rows * stride));
        for (var i = 0; i < rows; i++)
            new ReadOnlySpan<float>(a + (long)i * lda, depth).CopyTo(new Span<float>(copy + (long)i * stride, depth));
        return copy;
    }
}

namespace DyCompile.Runtime;

/// <summary>Writes NR-wide panels of a KC-deep slice of the GEMM's B operand in the layout of
/// <see cref="GemmPacking.PackB"/>: panel q (columns j0 + q·NR …) at dst + q·NR·kc, NR values per
/// k step, zero-padded past column nc. Lets B be a view (im2col of an image) rather than a
/// matrix in memory.</summary>
internal unsafe interface IGemmBPacker
{
    void Pack(float* dst, int j0, int nc, int p0, int kc, int panelStart, int panelEnd);
}

/// <summary>B as a row-major (or transposed) matrix in memory.</summary>
internal readonly unsafe struct DenseBPacker(float* b, int ldb, bool transB) : IGemmBPacker
{
    public void Pack(float* dst, int j0, int nc, int p0, int kc, int panelStart, int panelEnd) =>
        GemmPacking.PackB(dst, b, ldb, transB, j0, nc, p0, kc, panelStart, panelEnd);
}

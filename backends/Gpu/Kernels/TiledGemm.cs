using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>The tiled GEMM: a group of 16 × 16 threads computes a 64 × 64 block of C, walking K in
/// steps of 16 through group-shared tiles of A (16 × 64) and B (16 × 64); each thread keeps a
/// 4 × 4 block of C in registers. The loads and the 4 × 4 register block are unrolled here by hand
/// (ILGPU 1.5.3 does not unroll loops). Rows of the block are ty + 16·i and columns tx + 16·j, so
/// neighbouring threads read neighbouring shared words.</summary>
public static class TiledGemm
{
    public const int Block = 64, Step = 16, Threads = 16;

    /// <summary>Row pitch of the A tile: one word of padding, so the 16 threads of a warp that
    /// store one k each hit 16 different banks.</summary>
    private const int PitchA = Block + 1;

    public static KernelConfig Config(int m, int n, int batches) =>
        new(new Index3D(KernelShapes.CeilDiv(n, Block), KernelShapes.CeilDiv(m, Block), batches), new Index3D(Threads, Threads, 1));

    public static void Run<TProblem>(TProblem p) where TProblem : struct, IGemmProblem
    {
        var a = SharedMemory.Allocate<float>(Step * PitchA);
        var b = SharedMemory.Allocate<float>(Step * Block);
        int tx = Group.IdxX, ty = Group.IdxY;
        var t = ty * Threads + tx;
        var m0 = Grid.IdxY * Block;
        var n0 = Grid.IdxX * Block;
        var batch = Grid.IdxZ;
        var baseA = p.BaseA(batch);
        var baseB = p.BaseB(batch);
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        // A tile element e: row e / 16, k e % 16 (consecutive threads read consecutive k);
        // B tile element e: k e / 64, column e % 64.
        int aRow = t / Step, aK = t % Step, bK = t / Block, bCol = t % Block;
        for (var k0 = 0; k0 < p.K; k0 += Step)
        {
            a[aK * PitchA + aRow] = p.LoadA(baseA, m0 + aRow, k0 + aK);
            a[aK * PitchA + aRow + 16] = p.LoadA(baseA, m0 + aRow + 16, k0 + aK);
            a[aK * PitchA + aRow + 32] = p.LoadA(baseA, m0 + aRow + 32, k0 + aK);
            a[aK * PitchA + aRow + 48] = p.LoadA(baseA, m0 + aRow + 48, k0 + aK);
            b[bK * Block + bCol] = p.LoadB(baseB, k0 + bK, n0 + bCol);
            b[(bK + 4) * Block + bCol] = p.LoadB(baseB, k0 + bK + 4, n0 + bCol);
            b[(bK + 8) * Block + bCol] = p.LoadB(baseB, k0 + bK + 8, n0 + bCol);
            b[(bK + 12) * Block + bCol] = p.LoadB(baseB, k0 + bK + 12, n0 + bCol);
            Group.Barrier();
            for (var kk = 0; kk < Step; kk++)
            {
                var ar = kk * PitchA + ty;
                var bc = kk * Block + tx;
                float a0 = a[ar], a1 = a[ar + 16], a2 = a[ar + 32], a3 = a[ar + 48];
                float b0 = b[bc], b1 = b[bc + 16], b2 = b[bc + 32], b3 = b[bc + 48];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }
        var baseC = p.BaseC(batch);
        Row(p, baseC, m0 + ty, n0 + tx, c00, c01, c02, c03);
        Row(p, baseC, m0 + ty + 16, n0 + tx, c10, c11, c12, c13);
        Row(p, baseC, m0 + ty + 32, n0 + tx, c20, c21, c22, c23);
        Row(p, baseC, m0 + ty + 48, n0 + tx, c30, c31, c32, c33);
    }

    private static void Row<TProblem>(TProblem p, int baseC, int row, int column, float v0, float v1, float v2, float v3)
        where TProblem : struct, IGemmProblem
    {
        if (row >= p.M) return;
        if (column < p.N) p.Store(baseC, row, column, v0);
        if (column + 16 < p.N) p.Store(baseC, row, column + 16, v1);
        if (column + 32 < p.N) p.Store(baseC, row, column + 32, v2);
        if (column + 48 < p.N) p.Store(baseC, row, column + 48, v3);
    }
}

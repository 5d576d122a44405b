using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

/// <summary>Single-precision general matrix multiply, C (+)= op(A) · op(B), on row-major data.
/// The eager matmul, linear and conv2d kernels run on it, and generated CPU code may call it
/// directly.</summary>
/// <remarks>
/// Structure (the classic Goto/BLIS decomposition): the n dimension is cut into NC-wide
/// blocks and k into KC-deep slices; each KC × NC slice of B is packed once into NR-wide
/// panels (sized to stay in L2/L3), then the MR × NR register tile sweeps every MC × KC block
/// of A (sized for L2), its B micro-panel (KC × NR, 16 KiB) staying in L1. The SIMD tiles read
/// a row-major A in place, broadcasting from MR row pointers (packing it cost a pass over A per
/// call: 4 MiB for a 1024-channel pointwise convolution's weights); a transposed A, and the
/// portable tile, take A packed into MR-tall panels. A <see cref="GemmRowEpilogue"/> (bias,
/// residual, ReLU of a convolution) is applied to each panel's block once its last k slice is
/// in. Work is spread over cores as (A block × group of B panels) items, so both tall and wide
/// problems parallelize. Very short problems (m ≤ 4, a linear layer on a
/// single sample) and matrix × vector skip packing and run as dot products or row updates,
/// which are memory bound anyway.
/// </remarks>
public static unsafe partial class Gemm
{
    /// <summary>Rows of the register tile.</summary>
    public const int MR = 6;

    /// <summary>Columns of the register tile (two 8-float vectors).</summary>
    public const int NR = 16;

    /// <summary>Rows of the AVX-512 register tile (two A panels; one 16-float zmm vector per row).</summary>
    public const int MR512 = 2 * MR;

    // Blocking: KC × NR × 4 B = 16 KiB B micro-panel in L1 (32 KiB); MC × KC × 4 B = 96 KiB A
    // block in L2 (1 MiB per core); KC × NC × 4 B = 4 MiB B slice in the shared L3.
    internal const int KC = 256;
    internal const int MC = 96;
    internal const int NC = 4096;

    /// <summary>Depth of a slice when the tiles read A in place (no A block to keep in L2): one pass
    /// over C for the 512-channel pointwise layers instead of two (4–16 % faster on MobileNet's
    /// 512 → 512 at 28² and 1024 → 1024 at 14²); their B panels stream through L1 and the B slice
    /// is up to 8 MiB.</summary>
    internal const int InPlaceKC = 512;

    /// <summary>Below this many multiply-adds a problem runs on one core: the fork/join costs
    /// more than it saves.</summary>
    internal const long ParallelThreshold = 1L << 20;

    private const int SmallM = 4;

    [ThreadStatic] private static PackBuffer? _packA;
    [ThreadStatic] private static PackBuffer? _packB;

    /// <summary>C = op(A)·op(B) (or C += op(A)·op(B) when <paramref name="accumulate"/>), where
    /// op(A) is m × k and op(B) is k × n. With <paramref name="transA"/> A is stored k × m
    /// (element (i, p) at a[p·lda + i]), otherwise m × k (a[i·lda + p]); likewise
    /// <paramref name="transB"/> reads B stored n × k, as a linear layer's weight, without
    /// materializing the transpose. C is m × n at c[i·ldc + j]. k = 0 yields zeros (or leaves C
    /// unchanged when accumulating).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgemm(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate = false) =>
        Sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, Environment.ProcessorCount, forcePortable: false);

    /// <summary><see cref="Sgemm(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/>
    /// with a cap on the cores used (1 = run on the calling thread, for callers that
    /// parallelize over independent products themselves) and, for tests, a switch to the
    /// portable micro-kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate,
        int maxThreads, bool forcePortable) =>
        Sgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, maxThreads, forcePortable, default);

    /// <summary>The same with <paramref name="epilogue"/> applied to C once the product is in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate,
        int maxThreads, bool forcePortable, GemmRowEpilogue epilogue)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"negative GEMM size m={m}, n={n}, k={k}");
        CheckOperand("A", a.Length, transA ? k : m, transA ? m : k, lda);
        CheckOperand("B", b.Length, transB ? n : k, transB ? k : n, ldb);
        CheckOperand("C", c.Length, m, n, ldc);
        var threads = ThreadsFor(m, n, k, maxThreads);
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (IsEmptyProduct(m, n, k, c, ldc, accumulate))
            {
                ApplyWhole(epilogue, pc, m, n, ldc);
                return;
            }
            var problem = new GemmProblem(pa, lda, transA, pb, ldb, transB, pc, ldc, m, n, k, accumulate, epilogue);
            if (!transA && (m <= SmallM || (n == 1 && (transB || ldb == 1))))
            {
                RunShort(problem, threads);
                ApplyWhole(epilogue, pc, m, n, ldc);
            }
            else
            {
                RunBlocked(problem, new DenseBPacker(pb, ldb, transB), threads, forcePortable ? SimdPath.Portable : KernelIsa.Current);
            }
        }
    }

    /// <summary>C (+)= A · B where A is m × k row-major and B (k × n) exists only as what
    /// <paramref name="packer"/> writes into packed panels, e.g. an im2col view of an image that
    /// is never materialized.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SgemmPackedB<TPacker>(int m, int n, int k, ReadOnlySpan<float> a, int lda, TPacker packer, Span<float> c, int ldc, bool accumulate, int maxThreads,
        GemmRowEpilogue epilogue = default)
        where TPacker : struct, IGemmBPacker
    {
        CheckOperand("A", a.Length, m, k, lda);
        CheckOperand("C", c.Length, m, n, ldc);
        var threads = ThreadsFor(m, n, k, maxThreads);
        fixed (float* pa = a, pc = c)
        {
            if (IsEmptyProduct(m, n, k, c, ldc, accumulate))
            {
                ApplyWhole(epilogue, pc, m, n, ldc);
                return;
            }
            var problem = new GemmProblem(pa, lda, false, null, 0, false, pc, ldc, m, n, k, accumulate, epilogue);
            RunBlocked(problem, packer, threads, KernelIsa.Current);
        }
    }

    /// <summary>True when there is nothing to multiply: C is empty, or k = 0 and C is cleared
    /// (unless accumulating, when C already holds the result).</summary>
    private static bool IsEmptyProduct(int m, int n, int k, Span<float> c, int ldc, bool accumulate)
    {
        if (m == 0 || n == 0) return true;
        if (k != 0) return false;
        if (!accumulate)
            for (var i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
        return true;
    }

    /// <summary>The epilogue over all of C, where the product did not apply it block by block.</summary>
    private static void ApplyWhole(in GemmRowEpilogue epilogue, float* c, int m, int n, int ldc)
    {
        if (!epilogue.IsNone && m > 0 && n > 0) epilogue.Apply(c, ldc, 0, m, 0, n, KernelIsa.Current == SimdPath.Avx512);
    }

    /// <summary>Floats of a prepacked B (1 MiB) from which a product of few rows runs on all cores
    /// however small m is: it streams B from L3 or memory, and two cores read it faster than one
    /// (one row against 1024 × 256 in `GemmFewRows`: 21 → 13 µs on two cores of a Zen 3; against
    /// 256 × 256 the fork and join cost more than they save, 4.4 → 5.6 µs).</summary>
    private const long StreamedWeightFloats = 1L << 18;

    /// <summary>All allowed cores once the product is worth a fork/join, else the calling thread.</summary>
    private static int ThreadsFor(long m, long n, long k, int maxThreads) => m * n * k >= ParallelThreshold ? Cores(maxThreads) : 1;

    private static int Cores(int maxThreads) => Math.Max(1, Math.Min(maxThreads, Environment.ProcessorCount));

    private static void CheckOperand(string name, int length, int rows, int cols, int ld)
    {
        if (rows == 0 || cols == 0) return; // nothing is read or written
        if (ld < cols)
            throw new ArgumentException($"GEMM leading dimension of {name} ({ld}) is smaller than its row length ({cols})");
        var needed = (long)(rows - 1) * ld + cols;
        if (length < needed)
            throw new ArgumentException($"GEMM operand {name} has {length} elements, needs {needed} for {rows} x {cols} with leading dimension {ld}");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunBlocked<TPacker>(GemmProblem g, TPacker packer, int threads, SimdPath path)
        where TPacker : struct, IGemmBPacker
    {
        var depth = !g.TransA && path != SimdPath.Portable ? InPlaceKC : KC;
        var packB = (_packB ??= new PackBuffer()).Get(depth * GemmPacking.PanelCount(Math.Min(NC, g.N), NR) * NR);
        // Equal-sized blocks rather than full blocks plus a remainder: a thin last A block or
        // a shallow last k slice would run the micro-kernel at poor efficiency.
        // With several cores the block count is rounded up to a multiple of the core count
        // (11 blocks on 2 cores would leave one core idle for a twelfth of the time).
        var wantedBlocks = GemmPacking.PanelCount(g.M, MC);
        if (threads > 1 && wantedBlocks >= threads) wantedBlocks = GemmPacking.PanelCount(wantedBlocks, threads) * threads;
        var tileRows = path == SimdPath.Avx512 ? MR512 : MR;
        var mStep = GemmPacking.PanelCount(GemmPacking.PanelCount(g.M, wantedBlocks), tileRows) * tileRows;
        var mBlocks = GemmPacking.PanelCount(g.M, mStep);
        var kStep = GemmPacking.PanelCount(g.K, GemmPacking.PanelCount(g.K, depth));
        for (var jc = 0; jc < g.N; jc += NC)
        {
            var nc = Math.Min(NC, g.N - jc);
            var nPanels = GemmPacking.PanelCount(nc, NR);
            // Enough items to keep every core busy even when A has a single block (conv: few
            // output channels, many pixels).
            var nGroups = threads == 1 ? 1 : Math.Min(nPanels, Math.Max(1, (2 * threads + mBlocks - 1) / mBlocks));
            var items = mBlocks * nGroups;
            for (var pc = 0; pc < g.K; pc += kStep)
            {
                var kc = Math.Min(kStep, g.K - pc);
                var add = g.Accumulate || pc > 0;
                var slice = new BlockSlice(packB, jc, nc, pc, kc, add, mStep, nPanels, nGroups, path);

                if (threads > 1 && nPanels >= 2 * threads && (long)kc * nc >= 1 << 15 && GemmWorkers.TryAcquire())
                {
                    try
                    {
                        var job = PackJob<TPacker>.Instance;
                        job.Set(packer, packB, jc, nc, pc, kc, nPanels, threads);
                        GemmWorkers.Run(job, threads, threads);
                    }
                    finally
                    {
                        GemmWorkers.Release();
                    }
                }
                else
                {
                    packer.Pack(packB, jc, nc, pc, kc, 0, nPanels);
                }

                if (threads > 1 && items > 1 && GemmWorkers.TryAcquire())
                {
                    try
                    {
                        ItemJob.Instance.Set(g, slice);
                        GemmWorkers.Run(ItemJob.Instance, items, threads);
                    }
                    finally
                    {
                        GemmWorkers.Release();
                    }
                }
                else
                {
                    for (var item = 0; item < items; item++) RunItem(g, slice, item);
                }
            }
        }
    }

    /// <summary>One A block (at most MC rows) against one group of packed B panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunItem(in GemmProblem g, in BlockSlice s, int item)
    {
        var im = item / s.NGroups;
        var jg = item % s.NGroups;
        var i0 = im * s.MStep;
        var mc = Math.Min(s.MStep, g.M - i0);
        int panelStart = jg * s.NPanels / s.NGroups, panelEnd = (jg + 1) * s.NPanels / s.NGroups;
        var lastSlice = s.Pc + s.Kc == g.K;
        if (!g.TransA && s.Path != SimdPath.Portable)
        {
            SweepPanelsRowsA(g, i0, mc, s.Pc, s.Kc, s.PackedB, s.Jc, s.Nc, panelStart, panelEnd, s.Add, s.Path == SimdPath.Avx512, lastSlice);
            return;
        }
        var packA = (_packA ??= new PackBuffer()).Get(MC * KC);
        GemmPacking.PackA(packA, g.A, g.Lda, g.TransA, i0, mc, s.Pc, s.Kc);
        SweepPanels(g, packA, i0, mc, s.Kc, s.PackedB, s.Jc, s.Nc, panelStart, panelEnd, s.Add, s.Path, lastSlice);
    }

    /// <summary>The register tile over a packed A block (rows i0 … i0+mc) and the B panels
    /// [panelStart, panelEnd) of a packed kc-deep slice whose columns start at jc (nc in all).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SweepPanels(in GemmProblem g, float* packA, int i0, int mc, int kc, float* packedB, int jc, int nc,
        int panelStart, int panelEnd, bool add, SimdPath path, bool lastSlice)
    {
        var finish = lastSlice && !g.Epilogue.IsNone;
        var edge = stackalloc float[MR * NR];
        var wide = path == SimdPath.Avx512;
        for (var panel = panelStart; panel < panelEnd; panel++)
        {
            var jr = panel * NR;
            var nr = Math.Min(NR, nc - jr);
            var bp = packedB + (long)jr * kc;
            var pair = wide && panel + 1 < panelEnd && nc - jr >= 2 * NR;
            if (pair) panel++;
            for (var ir = 0; ir < mc; ir += MR)
            {
                var mr = Math.Min(MR, mc - ir);
                var ap = packA + (long)ir * kc;
                if (pair && ir + MR512 <= mc)
                {
                    // Two B panels and two A panels: the 12 × 32 tile.
                    GemmMicroKernels512.TileWide(kc, ap, bp, g.C + (long)(i0 + ir) * g.Ldc + jc + jr, g.Ldc, add);
                    ir += MR;
                    continue;
                }
                if (pair)
                {
                    // The rows the wide tile leaves, for both panels of the pair.
                    PanelRows(g, path, kc, ap, bp, i0 + ir, mr, jc + jr, NR, add, edge);
                    PanelRows(g, path, kc, ap, bp + (long)NR * kc, i0 + ir, mr, jc + jr + NR, NR, add, edge);
                    continue;
                }
                if (wide && nr == NR && ir + MR512 <= mc)
                {
                    // Two A panels at once in the zmm tile; the rows left over take the ymm tile.
                    GemmMicroKernels512.Tile(kc, ap, bp, g.C + (long)(i0 + ir) * g.Ldc + jc + jr, g.Ldc, add);
                    ir += MR;
                    continue;
                }
                PanelRows(g, path, kc, ap, bp, i0 + ir, mr, jc + jr, nr, add, edge);
            }
            // The panel's mc × (16 or 32) block is complete and still in L1.
            if (finish) g.Epilogue.Apply(g.C, g.Ldc, i0, mc, jc + jr, pair ? 2 * NR : nr, wide);
        }
    }

    /// <summary>One packed A panel (mr ≤ 6 rows from C row <paramref name="row"/>) against one B
    /// panel (nr ≤ 16 columns from C column <paramref name="column"/>) on the ymm tile; a partial
    /// tile goes through <paramref name="edge"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PanelRows(in GemmProblem g, SimdPath path, int kc, float* ap, float* bp, int row, int mr, int column, int nr, bool add, float* edge)
    {
        var cp = g.C + (long)row * g.Ldc + column;
        if (mr == MR && nr == NR)
        {
            Tile(path, kc, ap, bp, cp, g.Ldc, add);
            return;
        }
        Tile(path, kc, ap, bp, edge, NR, false);
        for (var i = 0; i < mr; i++)
        {
            var c = cp + (long)i * g.Ldc;
            for (var j = 0; j < nr; j++)
                c[j] = add ? c[j] + edge[i * NR + j] : edge[i * NR + j];
        }
    }

    /// <summary>C (+)= A · B for a B packed once beforehand (see <see cref="GemmPackedB"/>): A is
    /// m × k row-major (a[i·lda + p]), C is m × n at c[i·ldc + j], with k and n those of
    /// <paramref name="b"/>. Nothing of B is packed per call, and the whole product is one
    /// parallel loop: each item owns a block of C and walks every k slice itself, then applies
    /// <paramref name="epilogue"/> to its block.</summary>
    public static void Sgemm(GemmPackedB b, int m, ReadOnlySpan<float> a, int lda, Span<float> c, int ldc, bool accumulate = false,
        GemmEpilogue epilogue = GemmEpilogue.None) =>
        Sgemm(b, m, a, lda, c, ldc, accumulate, Environment.ProcessorCount, forcePortable: false, epilogue);

    /// <summary>C = bias + A · B with B packed beforehand: a linear layer, <paramref name="columnBias"/>
    /// (n values) added to every row of C. Each item writes the bias into its own block of C just
    /// before its first k slice accumulates there, so the block is still in cache, instead of a
    /// pass over the whole of C before the product.</summary>
    public static void Sgemm(GemmPackedB b, int m, ReadOnlySpan<float> a, int lda, Span<float> c, int ldc, ReadOnlySpan<float> columnBias,
        GemmEpilogue epilogue = GemmEpilogue.None) =>
        Sgemm(b, m, a, lda, c, ldc, false, Environment.ProcessorCount, forcePortable: false, epilogue, columnBias);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Sgemm(GemmPackedB b, int m, ReadOnlySpan<float> a, int lda, Span<float> c, int ldc, bool accumulate,
        int maxThreads, bool forcePortable, GemmEpilogue epilogue = GemmEpilogue.None, ReadOnlySpan<float> columnBias = default)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), $"negative GEMM size m={m}");
        int n = b.N, k = b.K;
        CheckOperand("A", a.Length, m, k, lda);
        CheckOperand("C", c.Length, m, n, ldc);
        var biased = !columnBias.IsEmpty;
        if (biased && (accumulate || columnBias.Length != n))
            throw new ArgumentException(accumulate ? "a column bias starts C: it cannot be combined with accumulate" : $"column bias has {columnBias.Length} values for {n} columns",
                nameof(columnBias));
        var path = forcePortable ? SimdPath.Portable : KernelIsa.Current;
        if (biased && (m == 0 || k == 0))
        {
            for (var i = 0; i < m; i++) columnBias.CopyTo(c.Slice(i * ldc, n));
            accumulate = true;
            biased = false;
        }
        if (IsEmptyProduct(m, n, k, c, ldc, accumulate))
        {
            if (m > 0 && n > 0 && epilogue != GemmEpilogue.None)
                fixed (float* pc = c) ApplyEpilogue(epilogue, pc, m, n, ldc, path);
            return;
        }
        var threads = (long)n * k >= StreamedWeightFloats ? Cores(maxThreads) : ThreadsFor(m, n, k, maxThreads);
        fixed (float* pa = a, pc = c, pbias = columnBias)
        {
            var g = new GemmProblem(pa, lda, false, null, 0, false, pc, ldc, m, n, k, accumulate);
            var wantedBlocks = GemmPacking.PanelCount(m, MC);
            if (threads > 1 && wantedBlocks >= threads) wantedBlocks = GemmPacking.PanelCount(wantedBlocks, threads) * threads;
            var tileRows = path == SimdPath.Avx512 ? MR512 : MR;
            var mStep = GemmPacking.PanelCount(GemmPacking.PanelCount(m, wantedBlocks), tileRows) * tileRows;
            var mBlocks = GemmPacking.PanelCount(m, mStep);
            var nGroups = threads == 1 ? 1 : Math.Min(b.NPanels, Math.Max(1, (2 * threads + mBlocks - 1) / mBlocks));
            var split = new PackedSplit(b, mStep, nGroups, path, epilogue, biased ? pbias : null);
            var items = mBlocks * nGroups;
            if (threads > 1 && items > 1 && GemmWorkers.TryAcquire())
            {
                try
                {
                    PackedItemJob.Instance.Set(g, split);
                    GemmWorkers.Run(PackedItemJob.Instance, items, threads);
                }
                finally
                {
                    PackedItemJob.Instance.Set(default, default);
                    GemmWorkers.Release();
                }
            }
            else
            {
                for (var item = 0; item < items; item++) RunPackedItem(g, split, item);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunPackedItem(in GemmProblem g, in PackedSplit s, int item)
    {
        var b = s.B!;
        var im = item / s.NGroups;
        var jg = item % s.NGroups;
        var i0 = im * s.MStep;
        var mc = Math.Min(s.MStep, g.M - i0);
        var panelStart = jg * b.NPanels / s.NGroups;
        var panelEnd = (jg + 1) * b.NPanels / s.NGroups;
        var accumulate = g.Accumulate;
        if (s.ColumnBias != null)
        {
            var j0 = panelStart * NR;
            var width = Math.Min(g.N, panelEnd * NR) - j0;
            if (width > 0)
                for (var i = i0; i < i0 + mc; i++)
                    new ReadOnlySpan<float>(s.ColumnBias + j0, width).CopyTo(new Span<float>(g.C + (long)i * g.Ldc + j0, width));
            accumulate = true;
        }
        if (GemmFewRows.Takes(mc, s.Path))
        {
            // A linear layer on a token or a few: products of rows against groups of panels.
            var j0 = panelStart * NR;
            var width = Math.Min(g.N, panelEnd * NR) - j0;
            for (var pc = 0; pc < g.K; pc += b.KStep)
            {
                var kc = Math.Min(b.KStep, g.K - pc);
                GemmFewRows.Run(kc, g.A + (long)i0 * g.Lda + pc, g.Lda, mc, b.Slice(pc) + (long)j0 * kc, panelEnd - panelStart, width,
                    g.C + (long)i0 * g.Ldc + j0, g.Ldc, accumulate || pc > 0);
            }
        }
        else if (s.Path != SimdPath.Portable)
        {
            // A is read in place by the tile: with B packed beforehand nothing is packed per call.
            for (var pc = 0; pc < g.K; pc += b.KStep)
                SweepPanelsRowsA(g, i0, mc, pc, Math.Min(b.KStep, g.K - pc), b.Slice(pc), 0, g.N, panelStart, panelEnd, accumulate || pc > 0,
                    s.Path == SimdPath.Avx512, lastSlice: false);
        }
        else
        {
            var packA = (_packA ??= new PackBuffer()).Get(MC * KC);
            for (var pc = 0; pc < g.K; pc += b.KStep)
            {
                var kc = Math.Min(b.KStep, g.K - pc);
                GemmPacking.PackA(packA, g.A, g.Lda, false, i0, mc, pc, kc);
                SweepPanels(g, packA, i0, mc, kc, b.Slice(pc), 0, g.N, panelStart, panelEnd, accumulate || pc > 0, SimdPath.Portable, lastSlice: false);
            }
        }
        if (s.Epilogue != GemmEpilogue.None)
        {
            var j0 = panelStart * NR;
            var j1 = Math.Min(g.N, panelEnd * NR);
            if (j1 > j0) ApplyEpilogue(s.Epilogue, g.C + (long)i0 * g.Ldc + j0, mc, j1 - j0, g.Ldc, s.Path);
        }
    }

    /// <summary>The epilogue over a finished rows × width block of C.</summary>
    private static void ApplyEpilogue(GemmEpilogue epilogue, float* c, int rows, int width, int ldc, SimdPath path)
    {
        switch (epilogue)
        {
            case GemmEpilogue.Gelu:
                GeluMath.GeluInPlace(c, rows, width, ldc, path);
                break;
            case GemmEpilogue.None:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(epilogue), epilogue, "unknown GEMM epilogue");
        }
    }

    /// <summary><see cref="SweepPanels"/> with A read in place (row-major, depth pc … pc+kc) by
    /// the AVX2 tile (and, when <paramref name="wide"/>, the 12-row zmm tile where 12 rows are
    /// left); an edge tile's missing rows repeat its last row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SweepPanelsRowsA(in GemmProblem g, int i0, int mc, int pc, int kc, float* packedB, int jc, int nc, int panelStart, int panelEnd, bool add, bool wide,
        bool lastSlice)
    {
        if (AliasedRows.Conflict(g.Lda, mc, wide ? MR512 : MR))
        {
            // The tile's rows would share one L1 set: sweep a copy whose rows do not.
            var rows = AliasedRows.Copy(g.A + (long)i0 * g.Lda + pc, g.Lda, mc, kc, out var stride);
            SweepPanelsRowsA(g.WithA(rows - (long)i0 * stride - pc, stride), i0, mc, pc, kc, packedB, jc, nc, panelStart, panelEnd, add, wide, lastSlice);
            return;
        }
        if (!wide || kc > ShallowDepth || mc < MR512)
        {
            SweepPanelsRowsA(g, i0, mc, pc, kc, packedB, jc, nc, panelStart, panelEnd, add, wide, lastSlice, 0);
            return;
        }
        // A shallow product (a pointwise convolution from few channels): its tiles are short and
        // store as much as they compute, so the 12 rows of C go along the whole slice first —
        // twelve long write streams that the prefetchers follow — instead of all rows of a
        // 32-column strip, which writes as many streams as C has rows.
        var pairEnd = panelStart;
        while (pairEnd + 1 < panelEnd && nc - pairEnd * NR >= 2 * NR) pairEnd += 2;
        var fullRows = mc / MR512 * MR512;
        var finish = lastSlice && !g.Epilogue.IsNone;
        for (var ir = 0; ir < fullRows; ir += MR512)
        {
            var a0 = g.A + (long)(i0 + ir) * g.Lda + pc;
            for (var panel = panelStart; panel < pairEnd; panel += 2)
                WideTileRowsA(g, kc, a0, packedB + (long)panel * NR * kc, i0 + ir, jc + panel * NR, add, finish);
        }
        if (pairEnd > panelStart && fullRows < mc)
            SweepPanelsRowsA(g, i0, mc, pc, kc, packedB, jc, nc, panelStart, pairEnd, add, wide, lastSlice, fullRows);
        if (pairEnd < panelEnd)
            SweepPanelsRowsA(g, i0, mc, pc, kc, packedB, jc, nc, pairEnd, panelEnd, add, wide, lastSlice, 0);
    }

    /// <summary>The 12 × 32 tile over A in place for C rows [row, row + 12) × columns [column,
    /// column + 32); with <paramref name="finish"/> it also applies the problem's epilogue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WideTileRowsA(in GemmProblem g, int kc, float* a0, float* bp, int row, int column, bool add, bool finish)
    {
        var at = (long)row * g.Ldc + column;
        var epilogue = g.Epilogue;
        if (!finish)
        {
            GemmMicroKernels512.TileRowsAWide(kc, a0, g.Lda, bp, g.C + at, g.Ldc, add);
            return;
        }
        GemmMicroKernels512.TileRowsAWide(kc, a0, g.Lda, bp, g.C + at, g.Ldc, add, finish: true,
            epilogue.RowBias == null ? null : epilogue.RowBias + row, epilogue.Residual == null ? null : epilogue.Residual + at, epilogue.Relu);
    }

    /// <summary>Depth up to which <see cref="SweepPanelsRowsA"/> runs rows before columns.</summary>
    private const int ShallowDepth = 64;

    /// <summary>The panel-major sweep of <see cref="SweepPanelsRowsA"/> over C rows
    /// [<paramref name="rowStart"/>, mc) of the block (the rows before it are done).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SweepPanelsRowsA(in GemmProblem g, int i0, int mc, int pc, int kc, float* packedB, int jc, int nc, int panelStart, int panelEnd, bool add, bool wide,
        bool lastSlice, int rowStart)
    {
        var finish = lastSlice && !g.Epilogue.IsNone;
        // Panel by panel (two at a time on the zmm tile), so the panels' KC × NR values stay in L1
        // while the A rows stream past.
        var edge = stackalloc float[MR * NR];
        var wideEdge = stackalloc float[MR512 * NR];
        var epilogue = g.Epilogue;
        for (var panel = panelStart; panel < panelEnd; panel++)
        {
            var jr = panel * NR;
            var nr = Math.Min(NR, nc - jr);
            var bp = packedB + (long)jr * kc;
            var pair = wide && panel + 1 < panelEnd && nc - jr >= 2 * NR;
            if (pair) panel++;
            // Rows [0, finished) of the panel's block leave the 12 × 32 tile with the epilogue applied.
            var finished = rowStart;
            for (var ir = rowStart; ir < mc; ir += MR)
            {
                var mr = Math.Min(MR, mc - ir);
                var a0 = g.A + (long)(i0 + ir) * g.Lda + pc;
                var cp = g.C + (long)(i0 + ir) * g.Ldc + jc + jr;
                if (wide && nr < NR && ir + MR512 <= mc)
                {
                    // A last panel narrower than 16 columns (a 14×14 plane is 12 panels and 4
                    // columns): the 12-row zmm tile into a scratch block, then its nr columns into
                    // C, where the 6-row ymm edge tile took a sixth of a 14×14 layer's time.
                    GemmMicroKernels512.TileRowsA(kc, a0, g.Lda, bp, wideEdge, NR, false);
                    for (var i = 0; i < MR512; i++)
                    {
                        var row = cp + (long)i * g.Ldc;
                        var sums = wideEdge + i * NR;
                        for (var j = 0; j < nr; j++) row[j] = add ? row[j] + sums[j] : sums[j];
                    }
                    ir += MR;
                    continue;
                }
                if (wide && nr == NR && ir + MR512 <= mc)
                {
                    if (pair)
                    {
                        WideTileRowsA(g, kc, a0, bp, i0 + ir, jc + jr, add, finish);
                        if (finish) finished = ir + MR512;
                    }
                    else GemmMicroKernels512.TileRowsA(kc, a0, g.Lda, bp, cp, g.Ldc, add);
                    ir += MR;
                    continue;
                }
                if (pair)
                {
                    // Fewer than 12 rows left: four at a time, still 32 wide.
                    for (; ir < mc; ir += 4)
                        GemmMicroKernels512.TileRowsAWide4(kc, g.A + (long)(i0 + ir) * g.Lda + pc, g.Lda, bp, g.C + (long)(i0 + ir) * g.Ldc + jc + jr, g.Ldc, add,
                            Math.Min(4, mc - ir));
                    break;
                }
                PanelRowsA(g, kc, a0, mr, bp, cp, nr, add, edge);
                if (pair) PanelRowsA(g, kc, a0, mr, bp + (long)NR * kc, cp + NR, NR, add, edge);
            }
            if (finish && finished < mc) epilogue.Apply(g.C, g.Ldc, i0 + finished, mc - finished, jc + jr, pair ? 2 * NR : nr, wide);
        }
    }

    /// <summary>mr ≤ 6 rows of A in place against one B panel (nr ≤ 16 columns) on the ymm tile;
    /// missing rows of an edge tile repeat the last real row and their results are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PanelRowsA(in GemmProblem g, int kc, float* a0, int mr, float* bp, float* cp, int nr, bool add, float* edge)
    {
        if (mr == MR && nr == NR)
        {
            GemmMicroKernels.TileAvx2RowsA(kc, a0, a0 + g.Lda, a0 + 2L * g.Lda, a0 + 3L * g.Lda, a0 + 4L * g.Lda, a0 + 5L * g.Lda, bp, cp, g.Ldc, add);
            return;
        }
        var last = mr - 1;
        GemmMicroKernels.TileAvx2RowsA(kc, a0, a0 + (long)Math.Min(1, last) * g.Lda, a0 + (long)Math.Min(2, last) * g.Lda,
            a0 + (long)Math.Min(3, last) * g.Lda, a0 + (long)Math.Min(4, last) * g.Lda, a0 + (long)Math.Min(5, last) * g.Lda, bp, edge, NR, false);
        for (var i = 0; i < mr; i++)
        {
            var row = cp + (long)i * g.Ldc;
            for (var j = 0; j < nr; j++)
                row[j] = add ? row[j] + edge[i * NR + j] : edge[i * NR + j];
        }
    }

    /// <summary>How a product with a prepacked B is shared out: A blocks of MStep rows times
    /// NGroups groups of B panels.</summary>
    private readonly struct PackedSplit(GemmPackedB b, int mStep, int nGroups, SimdPath path, GemmEpilogue epilogue, float* columnBias)
    {
        /// <summary>Written into each item's block of C before its first k slice (null: none).</summary>
        public readonly float* ColumnBias = columnBias;

        public readonly GemmPackedB? B = b;
        public readonly int MStep = mStep;
        public readonly int NGroups = nGroups;
        public readonly SimdPath Path = path;
        public readonly GemmEpilogue Epilogue = epilogue;
    }

    /// <summary>The items of a product with a prepacked B.</summary>
    private sealed class PackedItemJob : GemmJob
    {
        public static readonly PackedItemJob Instance = new();
        private GemmProblem _problem;
        private PackedSplit _split;

        public void Set(in GemmProblem problem, in PackedSplit split) => (_problem, _split) = (problem, split);

        public override void Run(int item) => RunPackedItem(_problem, _split, item);
    }

    /// <summary>The 6-row tile of the path (the AVX-512 path's leftover rows take the AVX2 one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(SimdPath path, int kc, float* a, float* b, float* c, int ldc, bool accumulate)
    {
        if (path == SimdPath.Portable) GemmMicroKernels.TilePortable(kc, a, b, c, ldc, accumulate);
        else GemmMicroKernels.TileAvx2(kc, a, b, c, ldc, accumulate);
    }

    /// <summary>Few rows (m ≤ 4, a linear layer on one sample) or one column (matrix × vector):
    /// each output is a dot product of an A row with a contiguous B column (a stored row when B
    /// is transposed), or each C row is a sum of scaled B rows. Packing would cost as much as
    /// the arithmetic here, and a 16-wide tile would waste most of its lanes on one column.
    /// The longer of the two output dimensions is split across cores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunShort(GemmProblem g, int threads)
    {
        var splitRows = g.M > g.N;
        var extent = splitRows ? g.M : g.N;
        var chunks = threads > 1 ? Math.Min(threads, extent) : 1;
        if (chunks > 1 && GemmWorkers.TryAcquire())
        {
            try
            {
                ShortJob.Instance.Set(g, splitRows, extent, chunks);
                GemmWorkers.Run(ShortJob.Instance, chunks, threads);
            }
            finally
            {
                GemmWorkers.Release();
            }
        }
        else
        {
            RunShortRange(g, 0, g.M, 0, g.N);
        }
    }

    // The parallel loops as reusable jobs (see GemmWorkers): set while the workers are held, so
    // one instance of each is enough and a call allocates nothing.

    /// <summary>Packing a B slice, its panels split evenly over the threads.</summary>
    private sealed class PackJob<TPacker> : GemmJob where TPacker : struct, IGemmBPacker
    {
        public static readonly PackJob<TPacker> Instance = new();
        private TPacker _packer;
        private float* _packedB;
        private int _jc, _nc, _pc, _kc, _nPanels, _parts;

        public void Set(TPacker packer, float* packedB, int jc, int nc, int pc, int kc, int nPanels, int parts)
        {
            _packer = packer;
            _packedB = packedB;
            (_jc, _nc, _pc, _kc, _nPanels, _parts) = (jc, nc, pc, kc, nPanels, parts);
        }

        public override void Run(int item) =>
            _packer.Pack(_packedB, _jc, _nc, _pc, _kc, item * _nPanels / _parts, (item + 1) * _nPanels / _parts);
    }

    /// <summary>The (A block × group of B panels) items of one packed slice.</summary>
    private sealed class ItemJob : GemmJob
    {
        public static readonly ItemJob Instance = new();
        private GemmProblem _problem;
        private BlockSlice _slice;

        public void Set(in GemmProblem problem, in BlockSlice slice) => (_problem, _slice) = (problem, slice);

        public override void Run(int item) => RunItem(_problem, _slice, item);
    }

    /// <summary>The chunks of a short problem's longer output dimension.</summary>
    private sealed class ShortJob : GemmJob
    {
        public static readonly ShortJob Instance = new();
        private GemmProblem _problem;
        private bool _splitRows;
        private int _extent, _chunks;

        public void Set(in GemmProblem problem, bool splitRows, int extent, int chunks) =>
            (_problem, _splitRows, _extent, _chunks) = (problem, splitRows, extent, chunks);

        public override void Run(int item) => RunShortChunk(_problem, _splitRows, _extent, _chunks, item);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunShortChunk(in GemmProblem g, bool splitRows, int extent, int chunks, int t)
    {
        int start = t * extent / chunks, end = (t + 1) * extent / chunks;
        if (splitRows) RunShortRange(g, start, end, 0, g.N);
        else RunShortRange(g, 0, g.M, start, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunShortRange(in GemmProblem g, int i0, int i1, int j0, int j1)
    {
        var width = j1 - j0;
        // B's columns are contiguous when B is stored transposed, or when it is a single
        // column stored densely.
        var columnsContiguous = g.TransB || (g.N == 1 && g.Ldb == 1);
        var columnStride = g.TransB ? g.Ldb : 1;
        for (var i = i0; i < i1; i++)
        {
            var aRow = new ReadOnlySpan<float>(g.A + (long)i * g.Lda, g.K);
            var cRow = new Span<float>(g.C + (long)i * g.Ldc + j0, width);
            if (columnsContiguous)
            {
                for (var j = 0; j < width; j++)
                {
                    var dot = TensorPrimitives.Dot(aRow, new ReadOnlySpan<float>(g.B + (long)(j0 + j) * columnStride, g.K));
                    cRow[j] = g.Accumulate ? cRow[j] + dot : dot;
                }
            }
            else
            {
                if (!g.Accumulate) cRow.Clear();
                for (var p = 0; p < g.K; p++)
                {
                    var bRow = new ReadOnlySpan<float>(g.B + (long)p * g.Ldb + j0, width);
                    TensorPrimitives.MultiplyAdd(bRow, aRow[p], cRow, cRow);
                }
            }
        }
    }

    private readonly struct GemmProblem(float* a, int lda, bool transA, float* b, int ldb, bool transB, float* c, int ldc, int m, int n, int k, bool accumulate,
        GemmRowEpilogue epilogue = default)
    {
        public readonly float* A = a;
        public readonly int Lda = lda;
        public readonly bool TransA = transA;
        public readonly float* B = b;
        public readonly int Ldb = ldb;
        public readonly bool TransB = transB;
        public readonly float* C = c;
        public readonly int Ldc = ldc;
        public readonly int M = m;
        public readonly int N = n;
        public readonly int K = k;
        public readonly bool Accumulate = accumulate;

        /// <summary>Applied to each block of C once its last k slice is in (blocked path only).</summary>
        public readonly GemmRowEpilogue Epilogue = epilogue;

        /// <summary>The same product reading A at <paramref name="a"/> with row stride <paramref name="lda"/>.</summary>
        public GemmProblem WithA(float* a, int lda) => new(a, lda, TransA, B, Ldb, TransB, C, Ldc, M, N, K, Accumulate, Epilogue);
    }

    /// <summary>One packed KC × NC slice of B and how its panels are shared out.</summary>
    private readonly struct BlockSlice(float* packedB, int jc, int nc, int pc, int kc, bool add, int mStep, int nPanels, int nGroups, SimdPath path)
    {
        public readonly float* PackedB = packedB;
        public readonly int Jc = jc;
        public readonly int Nc = nc;
        public readonly int Pc = pc;
        public readonly int Kc = kc;
        public readonly bool Add = add;
        public readonly int MStep = mStep;
        public readonly int NPanels = nPanels;
        public readonly int NGroups = nGroups;
        public readonly SimdPath Path = path;
    }
}

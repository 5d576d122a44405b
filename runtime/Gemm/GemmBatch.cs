using System.Runtime.CompilerServices;

namespace DyCompile.Runtime;

public static unsafe partial class Gemm
{
    /// <summary>A batch of independent row-major products C_i = A_i · B_i: A_i (m × k) starts at
    /// a[aOffsets[i]], B_i (k × n) at b[bOffsets[i]], C_i (m × n) at c[i·m·n]. When there are at
    /// least as many products as cores (attention heads), each product runs whole on one core —
    /// one fork/join for the batch rather than one per product, and no product split so finely
    /// that its packing outweighs its arithmetic (each packs only its B, the tile reads A in
    /// place); otherwise the products run one after another, each spread over the cores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SgemmBatch(float[] a, int[] aOffsets, float[] b, int[] bOffsets, float[] c, int m, int n, int k)
    {
        ArgumentNullException.ThrowIfNull(aOffsets);
        ArgumentNullException.ThrowIfNull(bOffsets);
        if (bOffsets.Length != aOffsets.Length) throw new ArgumentException("one B offset per product is needed", nameof(bOffsets));
        if ((long)aOffsets.Length * m * n > c.Length) throw new ArgumentException($"the batch writes {(long)aOffsets.Length * m * n} values, C has {c.Length}");
        SgemmStridedBatch(new GemmBatchLayout(aOffsets, k, bOffsets, n, false, null, n, m, n, k, aOffsets.Length), a, b, c, 1f);
    }

    /// <summary>C_i = scale · A_i · op(B_i) for the products of <paramref name="layout"/>, each
    /// operand a strided matrix inside its array (an attention head read out of the
    /// [batch, tokens, heads, dim] tensor a projection wrote, without a transpose to gather it). C
    /// must not overlap A or B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SgemmStridedBatch(in GemmBatchLayout layout, float[] a, float[] b, float[] c, float scale)
    {
        layout.Check(a.Length, b.Length, c.Length);
        int m = layout.M, n = layout.N, k = layout.K, count = layout.Count;
        if (count == 0 || m == 0 || n == 0) return;

        var threads = Environment.ProcessorCount;
        var total = (long)count * m * n * k;
        var perProductCores = threads > 1 && count >= threads && (count % threads == 0 || count >= 2 * threads) && total >= ParallelThreshold / 4;
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (perProductCores && GemmWorkers.TryAcquire())
            {
                try
                {
                    BatchJob.Instance.Set(layout, pa, pb, pc, scale, KernelIsa.Current);
                    GemmWorkers.Run(BatchJob.Instance, count, threads);
                }
                finally
                {
                    BatchJob.Instance.Set(default, null, null, null, 1f, SimdPath.Portable);
                    GemmWorkers.Release();
                }
                return;
            }
            for (var i = 0; i < count; i++)
            {
                var ci = pc + layout.COffset(i);
                Sgemm(false, layout.TransB, m, n, k, new ReadOnlySpan<float>(pa + layout.AOffsets[i], layout.ASpan), layout.Lda,
                    new ReadOnlySpan<float>(pb + layout.BOffsets[i], layout.BSpan), layout.Ldb, new Span<float>(ci, layout.CSpan), layout.Ldc,
                    accumulate: false, maxThreads: perProductCores ? 1 : threads, forcePortable: false);
                Scale(ci, m, n, layout.Ldc, scale);
            }
        }
    }

    /// <summary>Multiplies the m × n matrix at <paramref name="c"/> by <paramref name="scale"/> (nothing when 1).</summary>
    private static void Scale(float* c, int m, int n, int ldc, float scale)
    {
        if (scale == 1f) return;
        for (var i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            System.Numerics.Tensors.TensorPrimitives.Multiply(row, scale, row);
        }
    }

    /// <summary>One product of a batch, run on the core that takes it, on the path of the thread
    /// that called the batch.</summary>
    private sealed class BatchJob : GemmJob
    {
        public static readonly BatchJob Instance = new();
        private GemmBatchLayout _layout;
        private float* _a, _b, _c;
        private float _scale;
        private SimdPath _path;

        public void Set(in GemmBatchLayout layout, float* a, float* b, float* c, float scale, SimdPath path)
        {
            _layout = layout;
            _a = a;
            _b = b;
            _c = c;
            (_scale, _path) = (scale, path);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Run(int item)
        {
            ref readonly var l = ref _layout;
            var a = _a + l.AOffsets[item];
            var b = _b + l.BOffsets[item];
            var c = _c + l.COffset(item);
            if (_path != SimdPath.Portable)
                ProductReadingARows(a, l.Lda, b, l.Ldb, l.TransB, c, l.Ldc, l.M, l.N, l.K, _path);
            else
                Sgemm(false, l.TransB, l.M, l.N, l.K, new ReadOnlySpan<float>(a, l.ASpan), l.Lda, new ReadOnlySpan<float>(b, l.BSpan), l.Ldb,
                    new Span<float>(c, l.CSpan), l.Ldc, accumulate: false, maxThreads: 1, forcePortable: true);
            Scale(c, l.M, l.N, l.Ldc, _scale);
        }
    }

    /// <summary>C = A · op(B) (A row-major m × k with row stride <paramref name="lda"/>, k &gt; 0) on
    /// the calling thread: B packed into panels slice by slice, A read in place by the register
    /// tile (as for a prepacked weight), so a small product packs only its B — attention's heads,
    /// 128 × 64 · 64 × 128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ProductReadingARows(float* a, int lda, float* b, int ldb, bool transB, float* c, int ldc, int m, int n, int k, SimdPath path)
    {
        var nPanels = GemmPacking.PanelCount(n, NR);
        var kStep = GemmPacking.PanelCount(k, GemmPacking.PanelCount(k, KC));
        var packB = (_packB ??= new PackBuffer()).Get(kStep * nPanels * NR);
        var g = new GemmProblem(a, lda, false, b, ldb, transB, c, ldc, m, n, k, false);
        for (var pc = 0; pc < k; pc += kStep)
        {
            var kc = Math.Min(kStep, k - pc);
            GemmPacking.PackB(packB, b, ldb, transB, 0, n, pc, kc, 0, nPanels);
            SweepPanelsRowsA(g, 0, m, pc, kc, packB, 0, n, 0, nPanels, pc > 0, path == SimdPath.Avx512, lastSlice: false);
        }
    }
}

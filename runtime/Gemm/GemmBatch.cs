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
        var count = aOffsets.Length;
        if (bOffsets.Length != count) throw new ArgumentException("one B offset per product is needed", nameof(bOffsets));
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"negative GEMM size m={m}, n={n}, k={k}");
        long mk = (long)m * k, kn = (long)k * n, mn = (long)m * n;
        for (var i = 0; i < count; i++)
            if (aOffsets[i] < 0 || aOffsets[i] + mk > a.Length || bOffsets[i] < 0 || bOffsets[i] + kn > b.Length)
                throw new ArgumentException($"product {i} of the batch reads past its operands");
        if (count * mn > c.Length) throw new ArgumentException($"the batch writes {count * mn} values, C has {c.Length}");
        if (count == 0 || mn == 0) return;

        var threads = Environment.ProcessorCount;
        var total = count * mn * k;
        var perProductCores = threads > 1 && count >= threads && (count % threads == 0 || count >= 2 * threads) && total >= ParallelThreshold / 4;
        if (perProductCores && GemmWorkers.TryAcquire())
        {
            try
            {
                fixed (float* pa = a, pb = b, pc = c)
                {
                    BatchJob.Instance.Set(pa, aOffsets, pb, bOffsets, pc, m, n, k, KernelIsa.Current);
                    GemmWorkers.Run(BatchJob.Instance, count, threads);
                }
            }
            finally
            {
                BatchJob.Instance.Set(null, [], null, [], null, 0, 0, 0, SimdPath.Portable);
                GemmWorkers.Release();
            }
            return;
        }
        for (var i = 0; i < count; i++)
            Sgemm(false, false, m, n, k, a.AsSpan(aOffsets[i], (int)mk), k, b.AsSpan(bOffsets[i], (int)kn), n,
                c.AsSpan((int)(i * mn), (int)mn), n, accumulate: false, maxThreads: perProductCores ? 1 : threads, forcePortable: false);
    }

    /// <summary>One product of a batch, run on the core that takes it, on the path of the thread
    /// that called the batch.</summary>
    private sealed class BatchJob : GemmJob
    {
        public static readonly BatchJob Instance = new();
        private float* _a, _b, _c;
        private int[] _aOffsets = [], _bOffsets = [];
        private int _m, _n, _k;
        private SimdPath _path;

        public void Set(float* a, int[] aOffsets, float* b, int[] bOffsets, float* c, int m, int n, int k, SimdPath path)
        {
            _a = a;
            _b = b;
            _c = c;
            (_aOffsets, _bOffsets, _m, _n, _k, _path) = (aOffsets, bOffsets, m, n, k, path);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Run(int item)
        {
            int mk = _m * _k, kn = _k * _n, mn = _m * _n;
            if (_path != SimdPath.Portable)
            {
                ProductReadingARows(_a + _aOffsets[item], _b + _bOffsets[item], _c + (long)item * mn, _m, _n, _k, _path);
                return;
            }
            Sgemm(false, false, _m, _n, _k, new ReadOnlySpan<float>(_a + _aOffsets[item], mk), _k,
                new ReadOnlySpan<float>(_b + _bOffsets[item], kn), _n, new Span<float>(_c + (long)item * mn, mn), _n,
                accumulate: false, maxThreads: 1, forcePortable: true);
        }
    }

    /// <summary>C = A · B (row-major m × k times k × n, k &gt; 0) on the calling thread: B packed
    /// into panels slice by slice, A read in place by the register tile (as for a prepacked
    /// weight), so a small product packs only its B — attention's heads, 128 × 64 · 64 × 128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ProductReadingARows(float* a, float* b, float* c, int m, int n, int k, SimdPath path)
    {
        var nPanels = GemmPacking.PanelCount(n, NR);
        var kStep = GemmPacking.PanelCount(k, GemmPacking.PanelCount(k, KC));
        var packB = (_packB ??= new PackBuffer()).Get(kStep * nPanels * NR);
        var g = new GemmProblem(a, k, false, b, n, false, c, n, m, n, k, false);
        for (var pc = 0; pc < k; pc += kStep)
        {
            var kc = Math.Min(kStep, k - pc);
            GemmPacking.PackB(packB, b, n, false, 0, n, pc, kc, 0, nPanels);
            SweepPanelsRowsA(g, 0, m, pc, kc, packB, 0, n, 0, nPanels, pc > 0, path == SimdPath.Avx512, lastSlice: false);
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>Depthwise NCHW convolution (one input channel per group, <c>Multiplier</c> output
/// channels each) on the <see cref="PhaseImage"/> of one channel at a time: every output vector
/// of 8 pixels is one contiguous load and one FMA per tap. Vectors go 8 at a time
/// (<see cref="OutputVectors"/>, across rows when rows are short) so each broadcast weight feeds 8
/// independent FMA chains. Bias, residual and ReLU are applied in registers. Item = a range of
/// (image, input channel) planes: each fills its own per-thread phase image, so items run in parallel. On AVX-512,
/// rows wider than 8 take vectors of 16 pixels (<see cref="Wide"/>): half the loads and FMAs of
/// the 8-pixel vectors for the same outputs.</summary>
internal readonly unsafe struct DepthwiseConvProblem : IConvItems
{
    private const int Lanes = OutputVectors.Lanes;
    private const int WideLanes = 2 * Lanes;
    private const int Group = 8;

    [ThreadStatic] private static PackBuffer? _image;
    [ThreadStatic] private static int[]? _offsets;
    [ThreadStatic] private static int[]? _vectors;

    public ConvGeometry Geometry { get; init; }
    public float* Input { get; init; }
    public float* Weights { get; init; }
    public float* Bias { get; init; }
    public float* Residual { get; init; }
    public float* Output { get; init; }
    public int Batch { get; init; }
    public int Channels { get; init; }
    public int Multiplier { get; init; }
    public bool Relu { get; init; }
    public bool Portable { get; init; }

    /// <summary>Output vectors of 16 pixels on zmm registers (else 8 on ymm).</summary>
    public bool Wide { get; init; }

    /// <summary>Planes run as <see cref="DepthwiseRowTile512"/> tiles of several rows instead of the vector table.</summary>
    public bool RowTiles { get; init; }

    /// <summary>The output vectors (<see cref="OutputVectors"/>): <c>Slots</c> read bases, then
    /// output offsets, then lane counts.</summary>
    public int* Vectors { get; init; }
    public int Slots { get; init; }

    /// <summary>Per tap (ky, kx), where it reads in a one-channel phase image.</summary>
    public int* Offsets { get; init; }

    /// <summary>Output pixels per channel plane.</summary>
    public int Plane { get; init; }

    /// <summary>Whether a row's last vector may store all its lanes (8 or 16) when they all fall inside the
    /// plane: the extra lanes are pixels of the following rows of the same plane, which this item
    /// writes later anyway, so a plain vector store replaces a lane-by-lane one. Never past the
    /// plane's end (another item's plane, or past the output: a 2×2 plane's first row would
    /// otherwise write 6 pixels beyond it), and not when the residual is the output (the extra
    /// lanes would overwrite residual values not yet read).</summary>
    public bool WholeTails { get; init; }

    /// <summary>Ranges of (image, input channel) planes, one per work item: a few per core, since a
    /// small plane (14×14) is less work than handing it to a worker.</summary>
    public int Parts { get; init; }

    public int Items => Parts;

    /// <summary>output = relu?(depthwise conv(input) + bias + residual) (residual may be the output).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(float* input, float* weights, float* bias, float* residual, float* output,
        int batch, int channels, int multiplier, ConvGeometry g, bool relu, bool portable, int maxThreads)
    {
        var layout = new PhaseImage(g);
        var wide = !portable && KernelIsa.Current == SimdPath.Avx512 && g.OutWidth > Lanes;
        var slots = OutputVectors.Build(layout, g, Group, wide ? WideLanes : Lanes, ref _vectors);
        var taps = g.KernelHeight * g.KernelWidth;
        if (_offsets == null || _offsets.Length < taps) _offsets = new int[taps];
        for (var ky = 0; ky < g.KernelHeight; ky++)
            for (var kx = 0; kx < g.KernelWidth; kx++)
                _offsets[ky * g.KernelWidth + kx] = layout.TapOffset(0, ky, kx);
        var work = (long)batch * channels * multiplier * g.OutHeight * g.OutWidth * g.KernelHeight * g.KernelWidth;
        fixed (int* table = _vectors, offsets = _offsets)
        {
            var threads = work >= DirectConv2d.ParallelThreshold / 4 ? maxThreads : 1;
            var problem = new DepthwiseConvProblem
            {
                Geometry = g, Input = input, Weights = weights, Bias = bias, Residual = residual, Output = output,
                Batch = batch, Channels = channels, Multiplier = multiplier, Relu = relu, Portable = portable, Wide = wide,
                RowTiles = DepthwiseRowTile512.Covers(g, wide, residual != null),
                Vectors = table, Slots = slots, Offsets = offsets,
                Plane = g.OutHeight * g.OutWidth,
                WholeTails = residual != output,
                Parts = threads == 1 ? 1 : Math.Min(batch * channels, 8 * Environment.ProcessorCount),
            };
            // Depthwise work is memory bound: worth the workers from a quarter of the dense threshold.
            ConvJob<DepthwiseConvProblem>.Run(problem, threads);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunItem(int item)
    {
        if (Portable) RunItem<PortableFma>(item);
        else RunItem<HardwareFma>(item);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunItem<TFma>(int part) where TFma : struct, IVectorFma
    {
        var layout = new PhaseImage(RowTiles ? Geometry with { StrideH = 1, StrideW = 1 } : Geometry);
        var image = (_image ??= new PackBuffer()).Get(checked((int)layout.Floats(1)));
        var planes = (long)Batch * Channels;
        for (var item = (int)(part * planes / Parts); item < (int)((part + 1) * planes / Parts); item++)
            RunPlane<TFma>(layout, image, item);
    }

    /// <summary>Input plane <paramref name="item"/> (image item / Channels, channel item % Channels)
    /// into its phase image, then its Multiplier output planes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RunPlane<TFma>(in PhaseImage layout, float* image, int item) where TFma : struct, IVectorFma
    {
        var g = Geometry;
        var n = item / Channels;
        var ic = item % Channels;
        layout.Fill(Input + ((long)n * Channels + ic) * g.Height * g.Width, image, 0, 1, 1);
        var taps = g.KernelHeight * g.KernelWidth;
        var plane = g.OutHeight * g.OutWidth;
        var outChannels = Channels * Multiplier;
        for (var m = 0; m < Multiplier; m++)
        {
            var oc = ic * Multiplier + m;
            var at = ((long)n * outChannels + oc) * plane;
            var residual = Residual == null ? null : Residual + at;
            if (RowTiles)
            {
                if (g.StrideH == 1)
                    DepthwiseRowTile512.RunPlane(image, layout.RowStride, Weights + (long)oc * taps, Bias[oc], Output + at, g.OutHeight, g.OutWidth, Relu);
                else
                    DepthwiseStride2RowTile512.RunPlane(image, layout.RowStride, Weights + (long)oc * taps, Bias[oc], Output + at, g.OutHeight, g.OutWidth, Relu);
            }
            else if (Wide)
            {
                for (var v = 0; v < Slots; v += Group)
                    TileWide(image, Offsets, taps, Weights + (long)oc * taps, Bias[oc], residual, Output + at, v);
            }
            else
            {
                for (var v = 0; v < Slots; v += Group)
                    Tile<TFma>(image, Offsets, taps, Weights + (long)oc * taps, Bias[oc], residual, Output + at, v);
            }
        }
    }

    /// <summary>Vectors v .. v+7 of one output channel: eight independent FMA chains, so the
    /// FMA latency (4 cycles) is hidden behind the other chains' FMAs; with four, every tap
    /// waited on the previous one and the kernel ran at half the FMA rate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [SkipLocalsInit] // see DirectConvTile: no helper call (buffer zeroing) after the loop
    private void Tile<TFma>(float* image, int* offsets, int taps, float* weights, float bias, float* residual, float* output, int v)
        where TFma : struct, IVectorFma
    {
        var s0 = image + Vectors[v];
        var s1 = image + Vectors[v + 1];
        var s2 = image + Vectors[v + 2];
        var s3 = image + Vectors[v + 3];
        var s4 = image + Vectors[v + 4];
        var s5 = image + Vectors[v + 5];
        var s6 = image + Vectors[v + 6];
        var s7 = image + Vectors[v + 7];
        var a0 = Vector256.Create(bias);
        Vector256<float> a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (var t = 0; t < taps; t++)
        {
            var o = offsets[t];
            var w = Vector256.Create(weights[t]);
            a0 = TFma.MultiplyAdd(w, Vector256.Load(s0 + o), a0);
            a1 = TFma.MultiplyAdd(w, Vector256.Load(s1 + o), a1);
            a2 = TFma.MultiplyAdd(w, Vector256.Load(s2 + o), a2);
            a3 = TFma.MultiplyAdd(w, Vector256.Load(s3 + o), a3);
            a4 = TFma.MultiplyAdd(w, Vector256.Load(s4 + o), a4);
            a5 = TFma.MultiplyAdd(w, Vector256.Load(s5 + o), a5);
            a6 = TFma.MultiplyAdd(w, Vector256.Load(s6 + o), a6);
            a7 = TFma.MultiplyAdd(w, Vector256.Load(s7 + o), a7);
        }
        // Through memory, so no accumulator is live across the epilogue's calls (see DirectConvTile).
        var sums = stackalloc float[Group * Lanes];
        a0.Store(sums); a1.Store(sums + Lanes); a2.Store(sums + 2 * Lanes); a3.Store(sums + 3 * Lanes);
        a4.Store(sums + 4 * Lanes); a5.Store(sums + 5 * Lanes); a6.Store(sums + 6 * Lanes); a7.Store(sums + 7 * Lanes);
        for (var j = 0; j < Group; j++)
        {
            var at = Vectors[Slots + v + j];
            var count = Vectors[2 * Slots + v + j];
            if (WholeTails && count > 0 && at + Lanes <= Plane) count = Lanes;
            ConvEpilogue.Store(Vector256.Load(sums + j * Lanes), output + at, residual == null ? null : residual + at, count, Relu);
        }
    }

    /// <summary><see cref="Tile{TFma}"/> on vectors of 16 pixels (zmm), stored as two 8-pixel halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    [SkipLocalsInit]
    private void TileWide(float* image, int* offsets, int taps, float* weights, float bias, float* residual, float* output, int v)
    {
        var s0 = image + Vectors[v];
        var s1 = image + Vectors[v + 1];
        var s2 = image + Vectors[v + 2];
        var s3 = image + Vectors[v + 3];
        var s4 = image + Vectors[v + 4];
        var s5 = image + Vectors[v + 5];
        var s6 = image + Vectors[v + 6];
        var s7 = image + Vectors[v + 7];
        var a0 = Vector512.Create(bias);
        Vector512<float> a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (var t = 0; t < taps; t++)
        {
            var o = offsets[t];
            var w = Vector512.Create(weights[t]);
            a0 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(s0 + o), a0);
            a1 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(s1 + o), a1);
            a2 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(s2 + o), a2);
            a3 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(s3 + o), a3);
            a4 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(s4 + o), a4);
            a5 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(s5 + o), a5);
            a6 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(s6 + o), a6);
            a7 = Avx512F.FusedMultiplyAdd(w, Vector512.Load(s7 + o), a7);
        }
        var sums = stackalloc float[Group * WideLanes];
        a0.Store(sums); a1.Store(sums + WideLanes); a2.Store(sums + 2 * WideLanes); a3.Store(sums + 3 * WideLanes);
        a4.Store(sums + 4 * WideLanes); a5.Store(sums + 5 * WideLanes); a6.Store(sums + 6 * WideLanes); a7.Store(sums + 7 * WideLanes);
        for (var j = 0; j < Group; j++)
        {
            var at = Vectors[Slots + v + j];
            var count = Vectors[2 * Slots + v + j];
            if (WholeTails && count > 0 && at + WideLanes <= Plane) count = WideLanes;
            var sum = sums + j * WideLanes;
            var res = residual == null ? null : residual + at;
            ConvEpilogue.Store(Vector256.Load(sum), output + at, res, Math.Min(Lanes, count), Relu);
            if (count > Lanes)
                ConvEpilogue.Store(Vector256.Load(sum + Lanes), output + at + Lanes, res == null ? null : res + Lanes, count - Lanes, Relu);
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>Depthwise NCHW convolution (one input channel per group, <c>Multiplier</c> output
/// channels each) on the <see cref="PhaseImage"/> of one channel at a time: every output vector
/// of 8 pixels is one contiguous load and one FMA per tap, 4 vectors of a row at once so each
/// broadcast weight feeds 4 FMAs. Bias, residual and ReLU are applied in registers. Item = one
/// (image, input channel): it fills its own per-thread phase image, so items run in parallel.</summary>
internal readonly unsafe struct DepthwiseConvProblem : IConvItems
{
    private const int Lanes = 8;
    private const int Unroll = 4;

    [ThreadStatic] private static PackBuffer? _image;
    [ThreadStatic] private static int[]? _offsets;

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

    public int Items => Batch * Channels;

    public void RunItem(int item)
    {
        if (Portable) RunItem<PortableFma>(item);
        else RunItem<HardwareFma>(item);
    }

    private void RunItem<TFma>(int item) where TFma : struct, IVectorFma
    {
        var g = Geometry;
        var n = item / Channels;
        var ic = item % Channels;
        var layout = new PhaseImage(g);
        var image = (_image ??= new PackBuffer()).Get(checked((int)layout.Floats(1)));
        layout.Fill(Input + ((long)n * Channels + ic) * g.Height * g.Width, image, 0, 1, 1);
        var taps = g.KernelHeight * g.KernelWidth;
        if (_offsets == null || _offsets.Length < taps) _offsets = new int[taps];
        var offsets = _offsets;
        for (var ky = 0; ky < g.KernelHeight; ky++)
            for (var kx = 0; kx < g.KernelWidth; kx++)
                offsets[ky * g.KernelWidth + kx] = layout.TapOffset(0, ky, kx);

        var plane = g.OutHeight * g.OutWidth;
        var outChannels = Channels * Multiplier;
        fixed (int* pOffsets = offsets)
        {
            for (var m = 0; m < Multiplier; m++)
            {
                var oc = ic * Multiplier + m;
                var at = ((long)n * outChannels + oc) * plane;
                var channel = new Channel(image, pOffsets, taps, Weights + (long)oc * taps, Bias[oc],
                    Residual == null ? null : Residual + at, Output + at, Relu);
                for (var y = 0; y < g.OutHeight; y++)
                {
                    var x = 0;
                    for (; x + Unroll * Lanes <= g.OutWidth; x += Unroll * Lanes)
                        channel.Four<TFma>(layout.OutputBase(y, x), y * g.OutWidth + x);
                    for (; x < g.OutWidth; x += Lanes)
                        channel.One<TFma>(layout.OutputBase(y, x), y * g.OutWidth + x, Math.Min(Lanes, g.OutWidth - x));
                }
            }
        }
    }

    /// <summary>One output channel: its weights and where it reads and writes.</summary>
    private readonly struct Channel(float* image, int* offsets, int taps, float* weights, float bias, float* residual, float* output, bool relu)
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Four<TFma>(int inBase, int outAt) where TFma : struct, IVectorFma
        {
            var source = image + inBase;
            var a0 = Vector256.Create(bias);
            Vector256<float> a1 = a0, a2 = a0, a3 = a0;
            for (var t = 0; t < taps; t++)
            {
                var s = source + offsets[t];
                var w = Vector256.Create(weights[t]);
                a0 = TFma.MultiplyAdd(w, Vector256.Load(s), a0);
                a1 = TFma.MultiplyAdd(w, Vector256.Load(s + Lanes), a1);
                a2 = TFma.MultiplyAdd(w, Vector256.Load(s + 2 * Lanes), a2);
                a3 = TFma.MultiplyAdd(w, Vector256.Load(s + 3 * Lanes), a3);
            }
            Store(a0, outAt, Lanes);
            Store(a1, outAt + Lanes, Lanes);
            Store(a2, outAt + 2 * Lanes, Lanes);
            Store(a3, outAt + 3 * Lanes, Lanes);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void One<TFma>(int inBase, int outAt, int count) where TFma : struct, IVectorFma
        {
            var source = image + inBase;
            var a = Vector256.Create(bias);
            for (var t = 0; t < taps; t++)
                a = TFma.MultiplyAdd(Vector256.Create(weights[t]), Vector256.Load(source + offsets[t]), a);
            Store(a, outAt, count);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Store(Vector256<float> sum, int at, int count) =>
            ConvEpilogue.Store(sum, output + at, residual == null ? null : residual + at, count, relu);
    }
}

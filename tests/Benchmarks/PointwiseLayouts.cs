using System.Diagnostics;
using System.Globalization;
using DyCompile.Runtime;

namespace DyCompile.Benchmarks;

/// <summary>`--pointwise-layouts`: MobileNet's pointwise layers (bias and ReLU) as the NCHW
/// convolution runs them, against the same products over a channels-last (NHWC) image, where a
/// 1×1 convolution is one GEMM of the pixels against the prepacked weight: what holding a
/// channels-last layout across the layers would gain on these layers, before counting the
/// conversions it saves. Both in one process, alternating, the order flipped every round.</summary>
internal static class PointwiseLayouts
{
    private static readonly (int In, int Out, int Side)[] _layers =
        [(32, 64, 224), (64, 128, 112), (128, 128, 112), (128, 256, 56), (256, 256, 56), (512, 512, 28), (1024, 1024, 14)];

    public static void Run(string[] args)
    {
        var batch = args.Length > 1 ? UsageError.PositiveInt("--pointwise-layouts", args[1]) : 1;
        const int rounds = 9;
        Console.WriteLine($"{KernelIsa.Describe()}; batch {batch}; medians of {rounds} rounds; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine();
        Console.WriteLine("| layer | NCHW pointwise (ms) | NHWC GEMM (ms) | NCHW / NHWC | max abs difference |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        var random = new Random(3);
        foreach (var (inChannels, outChannels, side) in _layers)
        {
            var pixels = batch * side * side;
            var image = Draw(random, batch * inChannels * side * side);
            var weight = Draw(random, outChannels * inChannels);
            var bias = Tensor.FromArray(Draw(random, outChannels), outChannels);
            var nchwIn = Tensor.FromArray(image, batch, inChannels, side, side);
            var nchwOut = Tensor.Zeros(batch, outChannels, side, side);
            var kernel = Tensor.FromArray(weight, outChannels, inChannels, 1, 1);
            var nhwcIn = Tensor.FromArray(ChannelsLast(image, batch, inChannels, side * side), pixels, inChannels);
            var nhwcOut = Tensor.Zeros(pixels, outChannels);
            var packed = GemmPackedB.OfLinearWeight(Tensor.FromArray(weight, outChannels, inChannels));
            Action[] sides =
            [
                () => TensorOps.Conv2dFusedInto(nchwIn, kernel, bias, null, true, [1], [0], [1], 1, nchwOut),
                () =>
                {
                    Gemm.Sgemm(packed, pixels, nhwcIn.Floats, inChannels, nhwcOut.Floats, outChannels, bias.Floats);
                    TensorOps.ReluInto(nhwcOut, nhwcOut);
                },
            ];
            var flops = 2.0 * pixels * inChannels * outChannels;
            var reps = Math.Max(1, (int)(3e8 / flops));
            var times = new[] { new List<double>(), new List<double>() };
            foreach (var side2 in sides) side2();
            for (var round = 0; round < rounds; round++)
                foreach (var s in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
                {
                    var clock = Stopwatch.StartNew();
                    for (var i = 0; i < reps; i++) sides[s]();
                    times[s].Add(clock.Elapsed.TotalMilliseconds / reps);
                }
            var difference = MaxDifference(ChannelsLast(nchwOut.Floats.ToArray(), batch, outChannels, side * side), nhwcOut.Floats.ToArray());
            var medians = times.Select(t => t.Order().ElementAt(t.Count / 2)).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| 1×1 {inChannels} → {outChannels} at {side}² | {medians[0]:F3} | {medians[1]:F3} | {medians[0] / medians[1]:F2}× | {difference:G2} |"));
        }
    }

    private static float[] Draw(Random random, int count) => Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();

    /// <summary>[batch, channels, plane] as [batch · plane, channels].</summary>
    private static float[] ChannelsLast(float[] nchw, int batch, int channels, int plane)
    {
        var nhwc = new float[nchw.Length];
        for (var n = 0; n < batch; n++)
            for (var c = 0; c < channels; c++)
                for (var p = 0; p < plane; p++)
                    nhwc[((long)n * plane + p) * channels + c] = nchw[((long)n * channels + c) * plane + p];
        return nhwc;
    }

    private static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DyCompile.Runtime;

/// <summary>The end of a fused convolution for one vector of up to 8 output pixels of one
/// channel: add the residual (read before the output is written, so it may be the output
/// itself), apply ReLU, store. A vector that ends a row stores only its first
/// <c>count</c> lanes and never touches memory past them.</summary>
internal static unsafe class ConvEpilogue
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> sum, float* destination, float* residual, int count, bool relu)
    {
        if (count == Vector256<float>.Count)
        {
            if (residual != null) sum += Vector256.Load(residual);
            if (relu) sum = Vector256.Max(sum, Vector256<float>.Zero);
            sum.Store(destination);
        }
        else if (count > 0)
        {
            StorePart(sum, destination, residual, count, relu);
        }
    }

    /// <summary>Lanes [0, count) only, through a stack copy (a masked store is slow on some cores).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StorePart(Vector256<float> sum, float* destination, float* residual, int count, bool relu)
    {
        var lanes = stackalloc float[Vector256<float>.Count];
        sum.Store(lanes);
        for (var i = 0; i < count; i++)
        {
            var value = lanes[i];
            if (residual != null) value += residual[i];
            if (relu) value = MathF.Max(value, 0f);
            destination[i] = value;
        }
    }
}

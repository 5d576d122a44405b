using DyCompile.IR;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>cast between f32, i32, i64 and bool with the eager conversions: f32 to an integer
/// truncates toward zero (saturating, NaN to 0, as .NET and PTX convert), i64 to i32 wraps, any
/// type to bool is "not zero" (NaN is not zero).</summary>
[GpuKernel("cast")]
public sealed class CastKernel : GpuOpKernel
{
    private readonly Action<AcceleratorStream, Index1D, AnyView, AnyView> _cast;

    public CastKernel(Accelerator accelerator) : base(accelerator) =>
        _cast = accelerator.LoadAutoGroupedKernel<Index1D, AnyView, AnyView>(Cast);

    [DeviceKernel]
    internal static void Cast(Index1D i, AnyView x, AnyView y)
    {
        if (x.Kind == ElementKind.Float32)
        {
            var v = x.Floats[i];
            switch (y.Kind)
            {
                case ElementKind.Float32: y.Floats[i] = v; break;
                case ElementKind.Int32: y.Ints[i] = Truncate32(v); break;
                case ElementKind.Int64: y.Longs[i] = Truncate64(v); break;
                default: y.Bytes[i] = v != 0f ? (byte)1 : (byte)0; break;
            }
        }
        else if (y.Kind == ElementKind.Float32)
        {
            y.Floats[i] = x.Kind == ElementKind.Int64 ? x.Longs[i] : x.ReadLong(i);
        }
        else
        {
            y.WriteLong(i, x.ReadLong(i));
        }
    }

    // Written out rather than left to the conversion instruction so every backend agrees with .NET.
    private static int Truncate32(float v) =>
        float.IsNaN(v) ? 0 : v >= 2147483648f ? int.MaxValue : v <= -2147483648f ? int.MinValue : (int)v;

    private static long Truncate64(float v) =>
        float.IsNaN(v) ? 0 : v >= 9.223372E+18f ? long.MaxValue : v <= -9.223372E+18f ? long.MinValue : (long)v;

    public override void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results)
    {
        var x = operands[0].Tensor;
        var n = KernelShapes.Count(x.Shape);
        if (n == 0) return;
        _cast(stream, n, AnyView.Of(x), AnyView.Of(results[0]));
    }
}

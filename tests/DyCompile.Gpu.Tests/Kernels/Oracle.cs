using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Gpu.Tests.Kernels;

/// <summary>Random inputs, and the comparison of a device result with the eager one: same dtype
/// and shape, integers and bools exact, floats within f32 tolerance (NaN matches NaN).</summary>
internal static class Oracle
{
    public static Tensor Floats(Random rng, params int[] shape)
    {
        var n = shape.Aggregate(1, (a, d) => a * d);
        return Tensor.FromArray([.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 4 - 2))], shape);
    }

    public static Tensor Ints(Random rng, int below, params int[] shape)
    {
        var n = shape.Aggregate(1, (a, d) => a * d);
        return Tensor.FromArray([.. Enumerable.Range(0, n).Select(_ => rng.Next(below))], shape);
    }

    public static Tensor Longs(Random rng, int below, params int[] shape)
    {
        var n = shape.Aggregate(1, (a, d) => a * d);
        return Tensor.FromArray([.. Enumerable.Range(0, n).Select(_ => (long)rng.Next(below))], shape);
    }

    public static Tensor Bools(Random rng, params int[] shape)
    {
        var n = shape.Aggregate(1, (a, d) => a * d);
        return Tensor.FromArray([.. Enumerable.Range(0, n).Select(_ => rng.Next(2) == 1)], shape);
    }

    public static void Same(CpuAcceleratorFixture gpu, string op, Attrs attrs, params object[] operands) =>
        Same(gpu.Run(op, attrs, operands), op, tolerance: 1e-4f);

    public static void Same((IReadOnlyList<Tensor> Eager, IReadOnlyList<Tensor> Device) run, string op, float tolerance)
    {
        Assert.Equal(run.Eager.Count, run.Device.Count);
        for (var r = 0; r < run.Eager.Count; r++)
        {
            Tensor e = run.Eager[r], d = run.Device[r];
            Assert.Equal(e.DType, d.DType);
            Assert.Equal(e.ShapeArray(), d.ShapeArray());
            for (var i = 0; i < e.Length; i++)
            {
                double x = e.GetAsDouble(i), y = d.GetAsDouble(i);
                if (e.DType != DType.Float32)
                {
                    if (x != y) Assert.Fail($"{op} result {r}: element {i} is {y} on the device, {x} eagerly");
                    continue;
                }
                if (double.IsNaN(x) && double.IsNaN(y)) continue;
                if (!(Math.Abs(x - y) <= tolerance * (1 + Math.Abs(x))))
                    Assert.Fail($"{op} result {r}: element {i} is {y} on the device, {x} eagerly (shape [{string.Join(", ", e.ShapeArray())}])");
            }
        }
    }
}

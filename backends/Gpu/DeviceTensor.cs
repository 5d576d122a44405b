using System.Collections.Immutable;
using DyCompile.Runtime;
using ILGPU;

namespace DyCompile.Backends.Gpu;

/// <summary>A tensor resident on the device: a dense row-major view of its bytes (a bool is one
/// byte), with its dtype and run-time shape. It owns nothing; the program's arena does.</summary>
public sealed class DeviceTensor
{
    public DeviceTensor(ArrayView<byte> bytes, DType dtype, IEnumerable<int> shape)
    {
        DType = dtype;
        Shape = [.. shape];
        Length = Shape.Aggregate(1L, (n, d) => n * d);
        if (bytes.Length < Length * dtype.ElementSize())
            throw new ArgumentException($"a view of {bytes.Length} bytes cannot hold a {dtype.ShortName()} tensor of shape [{string.Join(", ", Shape)}]");
        Bytes = bytes.SubView(0, Length * dtype.ElementSize());
    }

    public ArrayView<byte> Bytes { get; }

    public DType DType { get; }

    public ImmutableArray<int> Shape { get; }

    public int Rank => Shape.Length;

    /// <summary>The size of one dimension (negative axes count from the end), as
    /// <see cref="Tensor.Dim"/>: what <c>host.dim</c> reads without touching the device.</summary>
    public int Dim(int axis) => Shape[Shapes.NormalizeAxis("dim", axis, Rank)];

    /// <summary>Element count.</summary>
    public long Length { get; }

    /// <summary>The elements as <typeparamref name="T"/> (float for f32, int, long, byte for bool).</summary>
    public ArrayView<T> As<T>() where T : unmanaged => Bytes.Cast<T>();

    public ArrayView<float> Floats => As<float>();

    public override string ToString() => $"device {DType.ShortName()}[{string.Join(", ", Shape)}]";
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DyCompile.Runtime;

/// <summary>A dense, contiguous, row-major tensor of float32, int32, int64 or bool.</summary>
/// <remarks>
/// Ownership: every op allocates and returns a new tensor and never mutates its operands;
/// kernels named <c>...Into</c> write into a caller-owned destination instead (the compiled
/// code uses those to run without allocating). <see cref="Reshape(int[])"/>-style views share
/// storage with their source, so writing through a span of one is visible in the other;
/// treat tensors handed to ops as immutable.
/// </remarks>
public sealed partial class Tensor
{
    private readonly int[] _shape;
    private readonly Array _data;

    private Tensor(DType dtype, int[] shape, Array data)
    {
        DType = dtype;
        _shape = shape;
        _data = data;
        Length = Shapes.ElementCount(shape);
        if (data.Length != Length)
            throw new ArgumentException($"storage of {data.Length} elements does not fit shape {Shapes.Format(shape)}");
    }

    public DType DType { get; }

    private int _version;

    /// <summary>Counts the in-place changes announced with <see cref="MarkModified"/>. Compiled
    /// programs compare it on every call with the value they last prepared a weight at, and redo
    /// the work derived from that weight (folded batch-norm, packed GEMM panels) when it moved.</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Announces that this tensor's elements were changed in place (through
    /// <see cref="AsSpan{T}"/>, <see cref="Floats"/> or <see cref="Storage"/>). Spans cannot be
    /// observed, so code that writes into a weight of a compiled model calls this afterwards;
    /// replacing the tensor (<c>LoadStateDict</c>) needs no such call.</summary>
    public void MarkModified() => Interlocked.Increment(ref _version);

    public ReadOnlySpan<int> Shape => _shape;

    public int Rank => _shape.Length;

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[Shapes.NormalizeAxis("dim", axis, Rank)];

    /// <summary>A copy of the shape, for callers that need an array.</summary>
    public int[] ShapeArray() => (int[])_shape.Clone();

    /// <summary>The raw storage array (float[], int[], long[] or bool[]); shared, not copied.</summary>
    public Array Storage => _data;

    public Span<T> AsSpan<T>() where T : unmanaged
    {
        if (DTypeExtensions.Of<T>() != DType)
            throw new InvalidOperationException($"tensor of dtype {DType.ShortName()} viewed as {typeof(T).Name}");
        return ((T[])_data).AsSpan();
    }

    public Span<float> Floats => AsSpan<float>();

    public Span<int> Ints => AsSpan<int>();

    public Span<long> Longs => AsSpan<long>();

    public Span<bool> Bools => AsSpan<bool>();

    /// <summary>Element bytes in little-endian order (the machine order on every supported host).</summary>
    public ReadOnlySpan<byte> AsBytes() => DType switch
    {
        DType.Float32 => MemoryMarshal.AsBytes<float>(Floats),
        DType.Int32 => MemoryMarshal.AsBytes<int>(Ints),
        DType.Int64 => MemoryMarshal.AsBytes<long>(Longs),
        DType.Bool => MemoryMarshal.AsBytes<bool>(Bools),
        _ => throw new InvalidOperationException(),
    };

    // ---- construction ----

    public static Tensor Zeros(DType dtype, params int[] shape) => new(dtype, (int[])shape.Clone(), Allocate(dtype, Shapes.ElementCount(shape)));

    public static Tensor Zeros(params int[] shape) => Zeros(DType.Float32, shape);

    public static Tensor Full(float value, params int[] shape)
    {
        var t = Zeros(shape);
        t.Floats.Fill(value);
        return t;
    }

    /// <summary>Wraps <paramref name="data"/> without copying; the tensor owns it afterwards.</summary>
    public static Tensor FromArray<T>(T[] data, params int[] shape) where T : unmanaged =>
        new(DTypeExtensions.Of<T>(), (int[])shape.Clone(), data);

    public static Tensor FromArray(float[] data, params int[] shape) => FromArray<float>(data, shape);

    public static Tensor Scalar(float value) => new(DType.Float32, [], new[] { value });

    public static Tensor Scalar(int value) => new(DType.Int32, [], new[] { value });

    public static Tensor Scalar(long value) => new(DType.Int64, [], new[] { value });

    public static Tensor Scalar(bool value) => new(DType.Bool, [], new[] { value });

    /// <summary>A tensor of the given dtype and shape whose storage is copied from bytes
    /// (little-endian), as read from a weights file.</summary>
    public static Tensor FromBytes(DType dtype, int[] shape, ReadOnlySpan<byte> bytes)
    {
        var t = Zeros(dtype, shape);
        Span<byte> dest = t.Storage switch
        {
            float[] f => MemoryMarshal.AsBytes(f.AsSpan()),
            int[] i => MemoryMarshal.AsBytes(i.AsSpan()),
            long[] l => MemoryMarshal.AsBytes(l.AsSpan()),
            bool[] b => MemoryMarshal.AsBytes(b.AsSpan()),
            _ => throw new InvalidOperationException(),
        };
        if (bytes.Length != dest.Length)
            throw new ArgumentException($"{bytes.Length} bytes do not fill a {dtype.ShortName()} tensor of shape {Shapes.Format(shape)}");
        bytes.CopyTo(dest);
        if (dtype == DType.Bool)
            foreach (ref var b in t.Bools) b = Unsafe.As<bool, byte>(ref b) != 0; // canonicalize non-0/1 bytes
        return t;
    }

    /// <summary>A new tensor of the same shape sharing this storage (a view; see remarks on the class).</summary>
    public Tensor WithShape(int[] shape) => new(DType, (int[])shape.Clone(), _data);

    public Tensor Clone() => new(DType, (int[])_shape.Clone(), (Array)_data.Clone());

    internal static Array Allocate(DType dtype, int length) => dtype switch
    {
        DType.Float32 => new float[length],
        DType.Int32 => new int[length],
        DType.Int64 => new long[length],
        DType.Bool => new bool[length],
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    // ---- reading to the host ----

    /// <summary>Reads the single element of a one-element tensor to the host as a float.</summary>
    [OpKernel("item")]
    public static float Item(Tensor x)
    {
        if (x.Length != 1)
            throw new TensorOpException("item", $"needs a tensor with one element, got shape {Shapes.Format(x.Shape)}");
        return (float)x.GetAsDouble(0);
    }

    [LowersTo("item")]
    public float Item() => Item(this);

    /// <summary>Element <paramref name="flatIndex"/> converted to double (bool: 0/1).</summary>
    public double GetAsDouble(int flatIndex) => DType switch
    {
        DType.Float32 => Floats[flatIndex],
        DType.Int32 => Ints[flatIndex],
        DType.Int64 => Longs[flatIndex],
        DType.Bool => Bools[flatIndex] ? 1 : 0,
        _ => throw new InvalidOperationException(),
    };

    /// <summary>All elements converted to float (bool: 0/1), for tests and diagnostics.</summary>
    public float[] ToFloatArray()
    {
        var result = new float[Length];
        for (var i = 0; i < Length; i++) result[i] = (float)GetAsDouble(i);
        return result;
    }

    public override string ToString()
    {
        const int shown = 8;
        var values = Enumerable.Range(0, Math.Min(Length, shown)).Select(i => GetAsDouble(i).ToString("G6", System.Globalization.CultureInfo.InvariantCulture));
        return $"tensor<{DType.ShortName()}, {Shapes.Format(Shape)}>({string.Join(", ", values)}{(Length > shown ? ", ..." : "")})";
    }
}

namespace DyCompile.Runtime;

/// <summary>Element type of a <see cref="Tensor"/>. float32 is the compute type; the integer
/// and bool types carry indices and masks.</summary>
public enum DType
{
    Float32,
    Int32,
    Int64,
    Bool,
}

public static class DTypeExtensions
{
    /// <summary>Short name used in messages, the IR text form and safetensors ("F32", ...).</summary>
    public static string ShortName(this DType type) => type switch
    {
        DType.Float32 => "f32",
        DType.Int32 => "i32",
        DType.Int64 => "i64",
        DType.Bool => "bool",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static int ElementSize(this DType type) => type switch
    {
        DType.Float32 or DType.Int32 => 4,
        DType.Int64 => 8,
        DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The dtype whose storage is <typeparamref name="T"/>.</summary>
    public static DType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(int) ? DType.Int32
        : typeof(T) == typeof(long) ? DType.Int64
        : typeof(T) == typeof(bool) ? DType.Bool
        : throw new NotSupportedException($"no tensor dtype stores {typeof(T).Name}");
}

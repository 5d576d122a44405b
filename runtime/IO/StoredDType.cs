using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DyCompile.Runtime;

/// <summary>An element type a safetensors file may store. F32, I32, I64 and BOOL load as the
/// runtime dtype of the same name; F16, BF16 and F64 have no runtime dtype and load converted
/// to f32.</summary>
internal enum StoredDType
{
    F32,
    I32,
    I64,
    Bool,
    F16,
    BF16,
    F64,
}

internal static class StoredDTypes
{
    public const string SupportedList = "F32, I32, I64, BOOL, and F16, BF16, F64 loaded as F32";

    public static StoredDType? Parse(string name) => name switch
    {
        "F32" => StoredDType.F32,
        "I32" => StoredDType.I32,
        "I64" => StoredDType.I64,
        "BOOL" => StoredDType.Bool,
        "F16" => StoredDType.F16,
        "BF16" => StoredDType.BF16,
        "F64" => StoredDType.F64,
        _ => null,
    };

    public static string Name(this StoredDType stored) => stored switch
    {
        StoredDType.Bool => "BOOL",
        _ => stored.ToString(),
    };

    /// <summary>The name a runtime dtype is stored under; every runtime dtype is stored as itself.</summary>
    public static string NameOf(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Int32 => "I32",
        DType.Int64 => "I64",
        DType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    public static int ElementSize(this StoredDType stored) => stored switch
    {
        StoredDType.Bool => 1,
        StoredDType.F16 or StoredDType.BF16 => 2,
        StoredDType.F32 or StoredDType.I32 => 4,
        StoredDType.I64 or StoredDType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(stored)),
    };

    /// <summary>The runtime dtype a stored tensor loads as.</summary>
    public static DType LoadsAs(this StoredDType stored) => stored switch
    {
        StoredDType.I32 => DType.Int32,
        StoredDType.I64 => DType.Int64,
        StoredDType.Bool => DType.Bool,
        _ => DType.Float32,
    };

    /// <summary>Whether the stored bytes are the runtime's storage as they are (no conversion).</summary>
    public static bool IsNative(this StoredDType stored) => stored is StoredDType.F32 or StoredDType.I32 or StoredDType.I64 or StoredDType.Bool;

    /// <summary>Converts little-endian stored elements to f32. F16 and BF16 values are exact in
    /// f32 (subnormals, infinities and NaNs included); F64 rounds to the nearest f32, ties to even,
    /// as a C# cast does: magnitudes beyond f32's range become infinities, those below half its
    /// smallest subnormal become zeros of the same sign.</summary>
    public static void ConvertToSingle(this StoredDType stored, ReadOnlySpan<byte> source, Span<float> destination)
    {
        var count = destination.Length;
        switch (stored)
        {
            case StoredDType.F16:
                if (BitConverter.IsLittleEndian)
                {
                    TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source[..(2 * count)]), destination);
                    return;
                }
                for (var i = 0; i < count; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                return;
            case StoredDType.BF16:
                // bfloat16 is the upper half of an f32: shifting its bits up is the exact value.
                for (var i = 0; i < count; i++)
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                return;
            case StoredDType.F64:
                for (var i = 0; i < count; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(stored), $"{stored.Name()} is stored as the runtime holds it; nothing to convert");
        }
    }
}

using ILGPU;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>One tensor's bytes seen as each element type, so one kernel reads or writes any
/// dtype by its <see cref="ElementKind"/> (integers and bools as long, f32 as float).</summary>
public struct AnyView
{
    public ArrayView<float> Floats;
    public ArrayView<int> Ints;
    public ArrayView<long> Longs;
    public ArrayView<byte> Bytes;
    public int Kind;

    public static AnyView Of(DeviceTensor t) => new()
    {
        Floats = t.As<float>(),
        Ints = t.As<int>(),
        Longs = t.As<long>(),
        Bytes = t.Bytes,
        Kind = ElementKind.Of(t.DType),
    };

    public readonly long ReadLong(int i) => Kind switch
    {
        ElementKind.Float32 => (long)Floats[i],
        ElementKind.Int32 => Ints[i],
        ElementKind.Int64 => Longs[i],
        _ => Bytes[i],
    };

    public readonly float ReadFloat(int i) => Kind switch
    {
        ElementKind.Float32 => Floats[i],
        ElementKind.Int32 => Ints[i],
        ElementKind.Int64 => Longs[i],
        _ => Bytes[i],
    };

    public readonly void WriteLong(int i, long value)
    {
        switch (Kind)
        {
            case ElementKind.Float32: Floats[i] = value; break;
            case ElementKind.Int32: Ints[i] = unchecked((int)value); break;
            case ElementKind.Int64: Longs[i] = value; break;
            default: Bytes[i] = value != 0 ? (byte)1 : (byte)0; break;
        }
    }
}

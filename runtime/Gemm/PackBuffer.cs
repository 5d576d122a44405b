using System.Runtime.InteropServices;

namespace DyCompile.Runtime;

/// <summary>A growable, 64-byte aligned native float buffer owned by one thread. GEMM packs its
/// panels here so the micro-kernel can use aligned loads and so packing never allocates on the
/// managed heap after warm-up.</summary>
internal sealed unsafe class PackBuffer
{
    private float* _data;
    private int _capacity;

    /// <summary>A pointer to at least <paramref name="floats"/> floats; contents are undefined.</summary>
    public float* Get(int floats)
    {
        if (floats > _capacity)
        {
            if (_data != null) NativeMemory.AlignedFree(_data);
            // Round up so that slightly larger requests do not reallocate every call.
            var capacity = Math.Max(floats, _capacity + _capacity / 2);
            _data = (float*)NativeMemory.AlignedAlloc((nuint)capacity * sizeof(float), 64);
            _capacity = capacity;
        }
        return _data;
    }

    ~PackBuffer()
    {
        if (_data != null) NativeMemory.AlignedFree(_data);
    }
}

using System.Runtime.InteropServices;

namespace DyCompile.Runtime;

/// <summary>A convolution weight [out, in, kh, kw] repacked for <see cref="ChannelVectorTile"/>
/// as [out block of 16][in][kh][kw][16]: the 16 output channels of one tap are one aligned zmm
/// load. Compiled code passes the same weight tensors on every call, so their packed form is
/// kept per tensor object and repacked when the tensor's <see cref="Tensor.Version"/> moved
/// (<see cref="WeightDerivedCache{T}"/>, as for linear layers' <see cref="GemmPackedB"/>); eager calls pack into a per-thread buffer
/// every time, since nothing tells them a weight was changed in place.</summary>
internal sealed unsafe class ChannelVectorWeights
{
    public const int Block = ChannelVectorTile.Channels;

    private static readonly WeightDerivedCache<ChannelVectorWeights> _cache = new();

    [ThreadStatic] private static PackBuffer? _perCall;

    private readonly long _floats;

    private ChannelVectorWeights(Tensor weight)
    {
        _floats = Floats(weight);
        Data = (float*)NativeMemory.AlignedAlloc((nuint)Math.Max(1L, _floats) * sizeof(float), 64);
        if (_floats > 0) GC.AddMemoryPressure(_floats * sizeof(float));
        Pack(weight, Data);
    }

    /// <summary>[out / 16][in · kh · kw][16].</summary>
    public float* Data { get; }

    /// <summary>The packed form of <paramref name="weight"/> (out channels a multiple of 16), kept
    /// while the tensor lives and its version stays.</summary>
    public static ChannelVectorWeights Cached(Tensor weight) => _cache.Get(weight, static w => new ChannelVectorWeights(w));

    /// <summary><paramref name="weight"/> packed into this thread's buffer, valid until the
    /// thread packs again.</summary>
    public static float* PackedNow(Tensor weight)
    {
        var data = (_perCall ??= new PackBuffer()).Get(checked((int)Math.Max(1L, Floats(weight))));
        Pack(weight, data);
        return data;
    }

    private static long Floats(Tensor weight) => (long)weight.Dim(0) * weight.Dim(1) * weight.Dim(2) * weight.Dim(3);

    private static void Pack(Tensor weight, float* data)
    {
        int blocks = weight.Dim(0) / Block, depth = weight.Dim(1) * weight.Dim(2) * weight.Dim(3);
        var source = weight.Floats;
        for (var b = 0; b < blocks; b++)
        {
            var block = data + (long)b * depth * Block;
            for (var i = 0; i < Block; i++)
            {
                var row = (b * Block + i) * depth;
                for (var q = 0; q < depth; q++) block[q * Block + i] = source[row + q];
            }
        }
    }

    ~ChannelVectorWeights()
    {
        NativeMemory.AlignedFree(Data);
        if (_floats > 0) GC.RemoveMemoryPressure(_floats * sizeof(float));
    }
}

using ILGPU;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>Reductions across one thread group: warp shuffles inside each warp, then one
/// shared-memory slot per warp reduced by the first warp. The group size is a multiple of the
/// warp size and at most <see cref="KernelGroups.MaxGroupSize"/>. Every thread gets the result.</summary>
internal static class GroupReduce
{
    public const int Sum = 0, Max = 1, Min = 2;

    /// <summary>Max and min propagate NaN, as PyTorch's do.</summary>
    public static float Combine(float a, float b, int op) => op switch
    {
        Sum => a + b,
        Max => float.IsNaN(a) || a > b ? a : b,
        _ => float.IsNaN(a) || a < b ? a : b,
    };

    public static long Combine(long a, long b, int op) => op switch
    {
        Sum => a + b,
        Max => a > b ? a : b,
        _ => a < b ? a : b,
    };

    public static float Identity(int op) => op switch
    {
        Sum => 0f,
        Max => float.NegativeInfinity,
        _ => float.PositiveInfinity,
    };

    public static long IdentityLong(int op) => op switch
    {
        Sum => 0L,
        Max => long.MinValue,
        _ => long.MaxValue,
    };

    public static float All(float value, int op)
    {
        var partials = SharedMemory.Allocate<float>(KernelGroups.MaxWarps);
        for (var offset = Warp.WarpSize / 2; offset > 0; offset /= 2)
            value = Combine(value, Warp.ShuffleDown(value, offset), op);
        var warps = Group.DimX / Warp.WarpSize;
        if (Warp.IsFirstLane) partials[Warp.WarpIdx] = value;
        Group.Barrier();
        if (Warp.WarpIdx == 0)
        {
            var v = Identity(op);
            for (var w = Warp.LaneIdx; w < warps; w += Warp.WarpSize) v = Combine(v, partials[w], op);
            for (var offset = Warp.WarpSize / 2; offset > 0; offset /= 2)
                v = Combine(v, Warp.ShuffleDown(v, offset), op);
            if (Warp.IsFirstLane) partials[0] = v;
        }
        Group.Barrier();
        var result = partials[0];
        // The slots are reused by the next reduction of the same kernel.
        Group.Barrier();
        return result;
    }

    public static long All(long value, int op)
    {
        var partials = SharedMemory.Allocate<long>(KernelGroups.MaxWarps);
        for (var offset = Warp.WarpSize / 2; offset > 0; offset /= 2)
            value = Combine(value, Warp.ShuffleDown(value, offset), op);
        var warps = Group.DimX / Warp.WarpSize;
        if (Warp.IsFirstLane) partials[Warp.WarpIdx] = value;
        Group.Barrier();
        if (Warp.WarpIdx == 0)
        {
            var v = IdentityLong(op);
            for (var w = Warp.LaneIdx; w < warps; w += Warp.WarpSize) v = Combine(v, partials[w], op);
            for (var offset = Warp.WarpSize / 2; offset > 0; offset /= 2)
                v = Combine(v, Warp.ShuffleDown(v, offset), op);
            if (Warp.IsFirstLane) partials[0] = v;
        }
        Group.Barrier();
        var result = partials[0];
        Group.Barrier();
        return result;
    }
}

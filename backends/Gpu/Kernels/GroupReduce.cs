using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>How a row kernel reduces one value per thread across its group; every thread gets the
/// result. The kernels are generic over it, so each accelerator gets the form it can run.</summary>
public interface IGroupReduction
{
    float All(float value, int op);

    long All(long value, int op);
}

/// <summary>The reduction operators and the choice of reduction per accelerator.</summary>
public static class GroupReduce
{
    public const int Sum = 0, Max = 1, Min = 2;

    /// <summary>Warp shuffles on CUDA and the CPU accelerator, and on OpenCL where ILGPU emits them
    /// (Intel sub-groups); a shared-memory tree on other OpenCL devices.</summary>
    public static bool UsesWarpShuffles(Accelerator accelerator) =>
        accelerator is not CLAccelerator cl || cl.Vendor == CLDeviceVendor.Intel;

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
}

/// <summary>Shuffles inside each warp, then one shared slot per warp reduced by the first warp.
/// The group size is a multiple of the warp size and at most <see cref="KernelGroups.MaxGroupSize"/>.</summary>
public readonly struct ShuffleReduction : IGroupReduction
{
    // An indexed shuffle: lanes past the end keep their own value, which lane 0 never reads.
    private static float Down(float value, int offset)
    {
        var from = Warp.LaneIdx + offset;
        return Warp.Shuffle(value, from < Warp.WarpSize ? from : Warp.LaneIdx);
    }

    private static long Down(long value, int offset)
    {
        var from = Warp.LaneIdx + offset;
        return Warp.Shuffle(value, from < Warp.WarpSize ? from : Warp.LaneIdx);
    }

    public float All(float value, int op)
    {
        var partials = SharedMemory.Allocate<float>(KernelGroups.MaxWarps);
        for (var offset = Warp.WarpSize / 2; offset > 0; offset /= 2)
            value = GroupReduce.Combine(value, Down(value, offset), op);
        var warps = Group.DimX / Warp.WarpSize;
        if (Warp.IsFirstLane) partials[Warp.WarpIdx] = value;
        Group.Barrier();
        if (Warp.WarpIdx == 0)
        {
            var v = GroupReduce.Identity(op);
            for (var w = Warp.LaneIdx; w < warps; w += Warp.WarpSize) v = GroupReduce.Combine(v, partials[w], op);
            for (var offset = Warp.WarpSize / 2; offset > 0; offset /= 2)
                v = GroupReduce.Combine(v, Down(v, offset), op);
            if (Warp.IsFirstLane) partials[0] = v;
        }
        Group.Barrier();
        var result = partials[0];
        // The slots are reused by the kernel's next reduction.
        Group.Barrier();
        return result;
    }

    public long All(long value, int op)
    {
        var partials = SharedMemory.Allocate<long>(KernelGroups.MaxWarps);
        for (var offset = Warp.WarpSize / 2; offset > 0; offset /= 2)
            value = GroupReduce.Combine(value, Down(value, offset), op);
        var warps = Group.DimX / Warp.WarpSize;
        if (Warp.IsFirstLane) partials[Warp.WarpIdx] = value;
        Group.Barrier();
        if (Warp.WarpIdx == 0)
        {
            var v = GroupReduce.IdentityLong(op);
            for (var w = Warp.LaneIdx; w < warps; w += Warp.WarpSize) v = GroupReduce.Combine(v, partials[w], op);
            for (var offset = Warp.WarpSize / 2; offset > 0; offset /= 2)
                v = GroupReduce.Combine(v, Down(v, offset), op);
            if (Warp.IsFirstLane) partials[0] = v;
        }
        Group.Barrier();
        var result = partials[0];
        Group.Barrier();
        return result;
    }
}

/// <summary>A shared-memory tree over the whole group (any group size up to
/// <see cref="KernelGroups.MaxGroupSize"/>), for OpenCL devices without ILGPU's shuffles.</summary>
public readonly struct SharedMemoryReduction : IGroupReduction
{
    public float All(float value, int op)
    {
        var slots = SharedMemory.Allocate<float>(KernelGroups.MaxGroupSize);
        var t = Group.IdxX;
        var n = Group.DimX;
        slots[t] = value;
        Group.Barrier();
        for (var half = HalfCeilingPowerOfTwo(n); half > 0; half /= 2)
        {
            if (t < half && t + half < n) slots[t] = GroupReduce.Combine(slots[t], slots[t + half], op);
            Group.Barrier();
        }
        var result = slots[0];
        Group.Barrier();
        return result;
    }

    public long All(long value, int op)
    {
        var slots = SharedMemory.Allocate<long>(KernelGroups.MaxGroupSize);
        var t = Group.IdxX;
        var n = Group.DimX;
        slots[t] = value;
        Group.Barrier();
        for (var half = HalfCeilingPowerOfTwo(n); half > 0; half /= 2)
        {
            if (t < half && t + half < n) slots[t] = GroupReduce.Combine(slots[t], slots[t + half], op);
            Group.Barrier();
        }
        var result = slots[0];
        Group.Barrier();
        return result;
    }

    /// <summary>Half the smallest power of two at or above <paramref name="n"/>.</summary>
    private static int HalfCeilingPowerOfTwo(int n)
    {
        var p = 1;
        while (p < n) p *= 2;
        return p / 2;
    }
}

using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>Group sizes of the explicitly grouped kernels.</summary>
public static class KernelGroups
{
    /// <summary>The largest group a row kernel uses.</summary>
    public const int MaxGroupSize = 256;

    /// <summary>Shared slots of a group reduction: one per warp of the largest group on the
    /// smallest warp the CPU accelerator is configured with (4 lanes).</summary>
    public const int MaxWarps = MaxGroupSize / 4;

    /// <summary>Threads of a GEMM or convolution group (16 × 16, each computing a 4 × 4 block).</summary>
    public const int GemmThreads = 256;

    /// <summary>The CPU device the kernels are tested on: 256 threads a group (the GEMM tile),
    /// 32 lanes a warp, like a CUDA device.</summary>
    public static CPUDevice CpuDevice() => new(32, 8, 1);

    /// <summary>A row kernel's group: the largest multiple of the warp size up to 256 and up to the
    /// accelerator's limit, no larger than the row needs.</summary>
    public static int RowGroupSize(Accelerator accelerator, int rowLength)
    {
        var warp = Math.Max(1, accelerator.WarpSize);
        var limit = Math.Min(MaxGroupSize, accelerator.MaxNumThreadsPerGroup) / warp * warp;
        if (limit < warp) limit = warp;
        var wanted = Math.Max(warp, (rowLength + warp - 1) / warp * warp);
        return Math.Min(limit, wanted);
    }

    /// <summary>A power-of-two group (for tree reductions of pairs) of at least one warp.</summary>
    public static int PowerOfTwoGroupSize(Accelerator accelerator)
    {
        var limit = Math.Min(MaxGroupSize, accelerator.MaxNumThreadsPerGroup);
        var size = 1;
        while (size * 2 <= limit) size *= 2;
        return size;
    }

    public static void RequireGemmGroups(Accelerator accelerator)
    {
        if (accelerator.MaxNumThreadsPerGroup < GemmThreads)
            throw new NotSupportedException($"the GEMM and convolution kernels need {GemmThreads} threads a group; {accelerator.Name} allows {accelerator.MaxNumThreadsPerGroup} (on ILGPU's CPU accelerator use KernelGroups.CpuDevice())");
    }
}

using DyCompile.Passes.Partition;

namespace DyCompile;

/// <summary>Settings of an in-memory compilation.</summary>
public sealed record CompileOptions
{
    /// <summary>The code generation target, one of <see cref="DyCompile.Target"/>'s constants
    /// (<see cref="JitCompiler.SupportedTargets"/>). A GPU target (<c>cuda</c>, <c>opencl</c>)
    /// needs a device of its kind: without one, compiling throws
    /// <see cref="Backends.Gpu.GpuDeviceNotFoundException"/> naming the target and the devices found;
    /// a segment op the GPU backend cannot run throws <see cref="Backends.Gpu.GpuUnsupportedOpException"/>
    /// (through <see cref="DyCompiler"/>: a DYC0601 diagnostic).</summary>
    public string Target { get; init; } = DyCompile.Target.Cpu;

    public PartitionOptions Partition { get; init; } = new();

    /// <summary>When set, every pass dump, the partition (text and DOT) and the generated C# are
    /// also written to files in this folder.</summary>
    public string? DumpDirectory { get; init; }

    /// <summary>Record the host blocks each <see cref="CompiledProgram.Run"/> enters (as the interpreter records its path).</summary>
    public bool RecordPath { get; init; } = true;

    /// <summary>Time every step of every segment into a <see cref="Runtime.Compiled.StepProfile"/>
    /// counter labelled with its op and shape (a few tens of nanoseconds per step; off by default).</summary>
    public bool ProfileSteps { get; init; }

    /// <summary>The most loop iterations one call may run, over all its loops (each entry of a loop
    /// head counts one); a call that goes past it throws <see cref="Runtime.Compiled.LoopStoppedException"/>
    /// naming the loop. Null (the default) means no limit: a call then stops only when its
    /// cancellation token is cancelled.</summary>
    public long? LoopIterationLimit { get; init; }
}

using System.Text;
using DyCompile.IR;
using DyCompile.Passes.Partition;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Backends.Gpu;

/// <summary>A region of the program's device arena: where a tensor of static type lives across the
/// steps of a call.</summary>
public readonly record struct ArenaRegion(long Offset, long Bytes);

/// <summary>The destinations of one segment output at one call site: a few buffers, of which a call
/// writes one that no live tensor of the block uses (so a loop that feeds a segment its own previous
/// output never reads and writes one buffer in one call). Static outputs have <see cref="Regions"/>
/// in the arena; an output with a <c>?</c> dim has as many grown buffers instead.</summary>
public sealed record OutputPool(int Size, IReadOnlyList<ArenaRegion>? Regions);

/// <summary>Everything the GPU backend decides at compile time for one partitioned program: a plan
/// per distinct segment, the C# of every distinct elementwise kernel (one class per distinct
/// rendered text, so kernels equal across segments are compiled and loaded once), and the layout
/// of the device arena: one scratch area that every segment's planned buffers share (segments run
/// one at a time and their intermediates die when they return), then each call site's output
/// buffers, then the program's inputs of static type.</summary>
public sealed class GpuProgramPlan
{
    public const string KernelNamespace = "DyCompile.Generated.Gpu";

    private GpuProgramPlan(PartitionedProgram program, IReadOnlyDictionary<DistinctSegment, GpuSegmentPlan> segments)
    {
        Program = program;
        Segments = segments;
        Kernels = [.. segments.Values.SelectMany(s => s.Kernels).DistinctBy(k => k.ClassName)];
        var offset = GpuSegmentPlan.Align(segments.Values.Select(s => s.ScratchBytes).DefaultIfEmpty(0).Max());
        ScratchBytes = offset;
        var pools = new Dictionary<(SegmentCall, int), OutputPool>();
        foreach (var block in program.Host)
        {
            if (block.Call is not { } call) continue;
            var size = block.Parameters.Count(p => p.Type is TensorType) + 1;
            var outputs = call.Segment.Distinct.Graph.Outputs;
            for (var k = 0; k < outputs.Length; k++)
            {
                if (outputs[k].Type is not TensorType t) continue;
                if (!t.IsStatic)
                {
                    pools[(call, k)] = new OutputPool(size, null);
                    continue;
                }
                var regions = new List<ArenaRegion>();
                for (var j = 0; j < size; j++)
                {
                    regions.Add(new ArenaRegion(offset, t.Bytes));
                    offset += GpuSegmentPlan.Align(t.Bytes);
                }
                pools[(call, k)] = new OutputPool(size, regions);
            }
        }
        Pools = pools;
        var inputs = new List<ArenaRegion?>();
        foreach (var input in program.Original.Inputs)
        {
            if (input.Type is TensorType { IsStatic: true } t)
            {
                inputs.Add(new ArenaRegion(offset, t.Bytes));
                offset += GpuSegmentPlan.Align(t.Bytes);
            }
            else inputs.Add(null);
        }
        Inputs = inputs;
        ArenaBytes = offset;
    }

    public PartitionedProgram Program { get; }

    public IReadOnlyDictionary<DistinctSegment, GpuSegmentPlan> Segments { get; }

    public IReadOnlyList<RenderedKernel> Kernels { get; }

    public long ScratchBytes { get; }

    /// <summary>The output buffers of each (call site, output position) with a tensor output.</summary>
    public IReadOnlyDictionary<(SegmentCall Call, int Output), OutputPool> Pools { get; }

    /// <summary>The arena region of each program input of static tensor type (null for the others).</summary>
    public IReadOnlyList<ArenaRegion?> Inputs { get; }

    /// <summary>Bytes of one execution state's arena.</summary>
    public long ArenaBytes { get; }

    /// <summary>Plans <paramref name="program"/> for the device.</summary>
    /// <param name="sourceOf">Where a host block is in the model source (<c>file(line)</c>), when known.</param>
    /// <exception cref="GpuUnsupportedOpException">A segment holds an op with no device implementation.</exception>
    public static GpuProgramPlan Create(PlannedProgram planned, Func<string, string?>? sourceOf = null)
    {
        sourceOf ??= _ => null;
        var program = planned.Partition;
        var blockOf = program.Segments.GroupBy(s => s.Distinct).ToDictionary(g => g.Key, g => g.First().Block);
        var plans = program.Distinct.ToDictionary(d => d, d => GpuSegmentPlan.Create(planned[d], blockOf.GetValueOrDefault(d, d.Name), sourceOf));
        return new GpuProgramPlan(program, plans);
    }

    /// <summary>The C# of the kernels of several plans as one compilation unit (classes equal across
    /// plans appear once).</summary>
    public static string KernelSource(IEnumerable<GpuProgramPlan> plans)
    {
        var sb = new StringBuilder();
        sb.Append("""
            using System;
            using ILGPU;
            using ILGPU.Algorithms;
            using ILGPU.Runtime;
            using DyCompile.Backends.Gpu;

            """);
        sb.Append($"namespace {KernelNamespace}\n{{\n");
        foreach (var kernel in plans.SelectMany(p => p.Kernels).DistinctBy(k => k.ClassName))
            foreach (var line in kernel.Source.TrimEnd('\n').Split('\n'))
                sb.Append(line.Length == 0 ? "\n" : "    " + line + "\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>A summary of the device plan for the pass dumps: per distinct segment, its steps and scratch.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append($"arena {ArenaBytes} bytes (scratch {ScratchBytes}), {Kernels.Count} distinct elementwise kernel(s)\n");
        foreach (var (d, plan) in Segments)
        {
            sb.Append($"{d.Name}: {plan.Memory.Buffers.Count} scratch buffer(s), {plan.ScratchBytes} bytes\n");
            foreach (var (step, weightOnly) in plan.Preparation.Select(s => (s, true)).Concat(plan.Steps.Select(s => (s, false))))
                sb.Append(weightOnly ? "  once per weight binding: " : "  ").Append(step switch
                {
                    ElementwiseStep e => $"kernel {e.Kernel.ClassName} [{string.Join(" ", e.Spec.Nodes.Select(n => n.Op))}] {e.Spec.Shape}",
                    OpKernelStep k => $"op kernel {k.Kernel.Name}: {k.Node.Op}",
                    DenseEpilogueStep fused => $"op kernel {fused.Kernel.Name}: {fused.Dense.Op} + [{string.Join(" ", fused.Absorbed.Select(n => n.Op))}] in its store",
                    ViewStep v => $"view {v.Node.Op}",
                    HostScalarStep h => $"host {h.Node.Op}",
                    ConstantStep => "constant",
                    FillStep => "fill (tensor.from_scalar)",
                    ReadScalarStep => "read back (item)",
                    _ => step.GetType().Name,
                }).Append('\n');
        }
        return sb.ToString();
    }
}

using DyCompile.IR;
using DyCompile.Passes.Fusion;
using DyCompile.Passes.Memory;
using DyCompile.Passes.Partition;
using DyCompile.Passes.Pipeline;

namespace DyCompile.Backends.Gpu;

/// <summary>Where a value a step writes lives.</summary>
public abstract record DeviceHome;

/// <summary>The caller's destination for segment output <see cref="Output"/>.</summary>
public sealed record OutputHome(int Output) : DeviceHome;

/// <summary>A buffer of the segment's memory plan, at <see cref="Offset"/> in the arena's scratch area.</summary>
public sealed record ScratchHome(long Offset) : DeviceHome;

/// <summary>A value with a <c>?</c> dim: a device buffer of its own, grown to the largest size seen
/// (never shrunk or freed between calls).</summary>
public sealed record GrownHome(int Index) : DeviceHome;

/// <summary>A result of the segment's weight-only work: a device buffer the program keeps per call
/// site, computed when the call site first runs and again only after a weight it reads changed
/// (<see cref="GpuSegmentPlan.PreparedValues"/>[<see cref="Index"/>]).</summary>
public sealed record PreparedHome(int Index) : DeviceHome;

/// <summary>How one distinct segment runs on the device: its weight-only steps (<see cref="Preparation"/>,
/// run once per call site and weight binding), its per-call steps (fused elementwise chains and
/// single elementwise nodes as rendered kernels, op kernels, views, host scalar work), and where
/// each tensor it writes lives. Intermediates of static type share the buffers of the memory
/// planner (<see cref="MemoryPlanner"/>), placed in the scratch area of the program's arena; views
/// alias their operand, so the planner sees a view's readers as readers of the storage it aliases.
/// Weight-only results live in buffers of their own (<see cref="PreparedHome"/>), outside the arena,
/// because they outlive the call.</summary>
public sealed class GpuSegmentPlan
{
    /// <summary>Bytes every device region is aligned to (a CUDA global-memory transaction, and
    /// enough for any element type's vector loads).</summary>
    public const long Alignment = 256;

    public static readonly IReadOnlySet<string> ViewOps = new HashSet<string>(StringComparer.Ordinal) { "reshape", "squeeze", "unsqueeze" };

    private readonly Dictionary<Value, DeviceHome> _homes = [];
    private readonly Dictionary<Value, Value> _aliasOf = [];

    private GpuSegmentPlan(DistinctSegment segment, IReadOnlyList<GpuStep> preparation, IReadOnlyList<int> preparedWeights, IReadOnlyList<GpuStep> steps)
    {
        Segment = segment;
        Preparation = preparation;
        PreparedWeights = preparedWeights;
        Steps = steps;
        var graph = segment.Graph;
        var prepared = new List<Value>();
        foreach (var step in preparation)
        {
            // Only for the aliases of views: the weight-only steps do not run in the planned call.
            ForPlanner(step);
            IReadOnlyList<Value> results = step switch
            {
                ElementwiseStep e => e.Spec.Outputs,
                OpKernelStep k => k.Node.Results,
                ViewStep v => [v.Node.Result],
                _ => throw new InvalidOperationException($"segment {segment.Name}: {step.GetType().Name} is no weight-only step"),
            };
            foreach (var r in results)
            {
                if (step is not ViewStep) _homes[r] = new PreparedHome(prepared.Count);
                prepared.Add(r);
            }
        }
        PreparedValues = prepared;
        var written = new HashSet<Value>();
        var elementwiseReads = new List<IReadOnlyList<Value>>();
        foreach (var step in steps)
            switch (step)
            {
                case ElementwiseStep e: written.UnionWith(e.Spec.Outputs); break;
                case OpKernelStep k: written.UnionWith(k.Node.Results); break;
                case DenseEpilogueStep d: written.Add(d.Output); break;
                case FillStep f: written.Add(f.Node.Result); break;
            }

        var outputs = graph.Outputs;
        for (var k = outputs.Length - 1; k >= 0; k--)
            if (written.Contains(outputs[k])) _homes[outputs[k]] = new OutputHome(k);

        var plannerSteps = steps.Select(ForPlanner).ToList();
        // Outputs are read once more at the end, when one that aliases scratch is copied out.
        plannerSteps.Add(new PlannerStep([.. outputs.Where(v => v.Type is TensorType).Select(Root)], [], []));
        var plan = MemoryPlanner.Plan(plannerSteps, v => written.Contains(v) && !_homes.ContainsKey(v));
        var offsets = new long[plan.Buffers.Count];
        long total = 0;
        for (var b = 0; b < plan.Buffers.Count; b++)
        {
            offsets[b] = total;
            total += Align(plan.Buffers[b].Bytes);
        }
        ScratchBytes = total;
        Memory = plan;
        foreach (var (v, b) in plan.BufferOf) _homes[v] = new ScratchHome(offsets[b]);
        foreach (var v in written)
            if (!_homes.ContainsKey(v)) _homes[v] = new GrownHome(GrownCount++);

        var index = 0;
        foreach (var v in graph.Inputs.Concat(graph.Weights).Concat(graph.Nodes.SelectMany(n => n.Results)))
            Slots.TryAdd(v, index++);
    }

    public DistinctSegment Segment { get; }

    /// <summary>The weight-only steps (folded batch-norm scales, weight transposes: the nodes of
    /// the weight preparation pass), each a single node. A call site runs them the first time it is
    /// called and again only when a weight they read has changed.</summary>
    public IReadOnlyList<GpuStep> Preparation { get; }

    /// <summary>The results of <see cref="Preparation"/>, in step order; views among them alias a
    /// weight, a constant or another prepared result.</summary>
    public IReadOnlyList<Value> PreparedValues { get; }

    /// <summary>Positions, in the segment's weight list, of the weights <see cref="Preparation"/> reads.</summary>
    public IReadOnlyList<int> PreparedWeights { get; }

    /// <summary>The per-call steps: tensor constants first, then the fused steps.</summary>
    public IReadOnlyList<GpuStep> Steps { get; }

    /// <summary>Every step, weight-only ones first.</summary>
    public IEnumerable<GpuStep> AllSteps => Preparation.Concat(Steps);

    public MemoryPlan Memory { get; }

    /// <summary>Bytes of scratch the segment's planned buffers take (aligned).</summary>
    public long ScratchBytes { get; }

    /// <summary>How many values live in grown buffers of their own.</summary>
    public int GrownCount { get; }

    /// <summary>Each value's position in the run-time environment of the segment.</summary>
    public Dictionary<Value, int> Slots { get; } = [];

    public IReadOnlyDictionary<Value, DeviceHome> Homes => _homes;

    /// <summary>The distinct kernels the segment launches.</summary>
    public IEnumerable<RenderedKernel> Kernels => AllSteps.OfType<ElementwiseStep>().Select(s => s.Kernel).DistinctBy(k => k.ClassName);

    public static long Align(long bytes) => (bytes + Alignment - 1) / Alignment * Alignment;

    /// <summary>The value whose storage <paramref name="v"/> reads (itself unless a view).</summary>
    private Value Root(Value v) => _aliasOf.TryGetValue(v, out var r) ? r : v;

    private FusionStep ForPlanner(GpuStep step)
    {
        switch (step)
        {
            case ElementwiseStep e:
                // A kernel loads each element before it stores the result at the same index only
                // for inputs read at that index.
                return new PlannerStep([.. e.Spec.Inputs.Select(Root)], e.Spec.Outputs,
                    [.. e.Spec.Inputs.Where(v => e.Spec.Access(v) == InputAccess.Full).Select(Root)]);
            case OpKernelStep k:
                return new PlannerStep([.. k.Node.Operands.Select(Root)], k.Node.Results, []);
            case DenseEpilogueStep d:
                // The residual may share the result's buffer: each element is read just before it
                // is stored at the same index. The dense operands are read whole.
                return new PlannerStep([.. d.Dense.Operands.Concat(d.Residual is { } read ? [read] : []).Select(Root)], [d.Output],
                    d.Residual is { } residual && !d.Dense.Operands.Select(Root).Contains(Root(residual)) ? [Root(residual)] : []);
            case ViewStep v:
                _aliasOf[v.Node.Result] = Root(v.Node.Operands[0]);
                return new PlannerStep([Root(v.Node.Operands[0])], [], []);
            case FillStep f:
                return new PlannerStep([], [f.Node.Result], []);
            case ReadScalarStep r:
                return new PlannerStep([Root(r.Node.Operands[0])], [], []);
            default:
                return new PlannerStep([], [], []);
        }
    }

    private sealed record PlannerStep(IReadOnlyList<Value> ReadValues, IReadOnlyList<Value> DefinedValues, IReadOnlyList<Value> ElementwiseValues) : FusionStep
    {
        public override IReadOnlyList<Value> Reads => ReadValues;

        public override IReadOnlyList<Value> Defines => DefinedValues;

        public override IReadOnlyList<Value> ReadsElementwise => ElementwiseValues;
    }

    /// <summary>Plans <paramref name="planned"/>: its weight-only nodes (single steps the device
    /// runs once per call site and weight binding), then the fused steps of its per-call part.</summary>
    /// <param name="sourceOf">Where a host block is in the model source, when known (for the error).</param>
    /// <exception cref="GpuUnsupportedOpException">A node has no device implementation.</exception>
    public static GpuSegmentPlan Create(PlannedSegment planned, string block, Func<string, string?> sourceOf)
    {
        var segment = planned.Segment;
        var steps = new List<GpuStep>();
        // Weight-only nodes may read tensor constants: those are in place before anything runs.
        var constants = segment.Graph.Nodes.Where(n => n.Def?.Kind == OpKind.Const && n.Results.Length == 1 && n.Result.Type is TensorType).ToHashSet();
        foreach (var node in constants) steps.Add(new ConstantStep(node));
        var preparation = (planned.Preparation?.Nodes ?? []).Select(node => Classify(node, block, sourceOf)).ToList();
        var fusion = planned.Steps ?? throw new InvalidOperationException($"segment {segment.Name}: fusion runs before the GPU plan");
        var readers = DenseEpilogues.Readers(segment.Graph);
        for (var i = 0; i < fusion.Count; i++)
        {
            var step = fusion[i];
            if (step is NodeStep { Node: var dense } && i + 1 < fusion.Count && DenseEpilogues.Match(dense, fusion[i + 1], readers) is { } epilogue)
            {
                steps.Add(epilogue);
                i++;
                continue;
            }
            switch (step)
            {
                case ElementwiseLoop loop:
                    var spec = new ElementwiseKernelSpec(loop.Nodes, loop.Inputs, loop.Outputs, loop.Shape);
                    if (spec.Renderable) steps.Add(new ElementwiseStep(spec, ElementwiseKernelRenderer.Render(spec)));
                    else foreach (var n in loop.Nodes) steps.Add(Classify(n, block, sourceOf));
                    break;
                case ConvolutionEpilogue fused:
                    // The fusion planner's conv2d epilogue (residual and/or relu) is the device's too.
                    steps.Add(DenseEpilogues.Of(fused) is { } onDevice ? onDevice : Classify(fused.Convolution, block, sourceOf));
                    if (steps[^1] is not DenseEpilogueStep)
                        foreach (var n in fused.Absorbed) steps.Add(Classify(n, block, sourceOf));
                    break;
                case LinearEpilogue linear:
                    steps.Add(Classify(linear.Linear, block, sourceOf));
                    steps.Add(Classify(linear.Activation, block, sourceOf));
                    break;
                case BatchNormEpilogue norm:
                    steps.Add(Classify(norm.BatchNorm, block, sourceOf));
                    steps.Add(Classify(norm.Relu, block, sourceOf));
                    break;
                case PermutedProduct product:
                    // In program order at the matmul's place: only the chain reads what its nodes define.
                    foreach (var n in product.Absorbed) steps.Add(Classify(n, block, sourceOf));
                    break;
                case NodeStep { Node: var node }:
                    if (!constants.Contains(node)) steps.Add(Classify(node, block, sourceOf));
                    break;
                default:
                    throw new NotSupportedException($"fusion step {step.GetType().Name} has no GPU plan");
            }
        }
        return new GpuSegmentPlan(segment, preparation, planned.Preparation?.WeightPositions ?? [], steps);
    }

    /// <summary>Whether the GPU backend renders <paramref name="node"/> as an elementwise kernel.</summary>
    public static bool IsRenderedElementwise(Node node) =>
        node.Def is { Elementwise: true } def && (def.Formula is not null || node.Op == "cast")
        && node.Results.Length == 1 && node.Operands.All(v => v.Type is TensorType) && node.Result.Type is TensorType;

    private static GpuStep Classify(Node node, string block, Func<string, string?> sourceOf)
    {
        var def = node.Def;
        if (def?.Kind == OpKind.Const)
            return node.Result.Type is TensorType ? new ConstantStep(node) : new HostScalarStep(node);
        if (node.Op == "tensor.from_scalar") return new FillStep(node);
        if (def?.Kind == OpKind.Host && node.Operands.All(v => v.Type is ScalarType)) return new HostScalarStep(node);
        if (node.Op == "item") return new ReadScalarStep(node);
        if (ViewOps.Contains(node.Op)) return new ViewStep(node);
        if (IsRenderedElementwise(node))
        {
            var spec = new ElementwiseKernelSpec([node], [.. node.Operands.Distinct()], [node.Result], (TensorType)node.Result.Type);
            if (spec.Renderable) return new ElementwiseStep(spec, ElementwiseKernelRenderer.Render(spec));
        }
        if (DyCompile.Backends.Gpu.Kernels.GpuKernelLibrary.KernelType(node.Op) is { } kernel) return new OpKernelStep(node, kernel);
        throw new GpuUnsupportedOpException(node.Op, IRPrinter.Print(node), block, sourceOf(block));
    }
}

using System.Reflection;
using DyCompile.IR;
using DyCompile.Passes.Partition;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>A program planned for the device with its kernels loaded: what every execution state of
/// the program shares. It holds the loaded elementwise kernels (one instance per distinct class),
/// one instance of each <see cref="GpuOpKernel"/> the program uses, the tensor constants (uploaded
/// once, when the program loads), the device copies of the weights (uploaded once per weight
/// tensor and version, when a state is bound to them) and the results of each call site's
/// weight-only work (computed once per set of weight uploads, <see cref="Prepare"/>).
/// <see cref="CreateState"/> makes an execution state: a <see cref="GpuHostProgram"/> with its own
/// stream and arena.</summary>
public sealed class GpuProgram
{
    private readonly Dictionary<Tensor, (int Version, long Generation, MemoryBuffer1D<byte, Stride1D.Dense> Buffer, DeviceTensor Tensor)> _weights = new(ReferenceEqualityComparer.Instance);
    private readonly List<MemoryBuffer1D<byte, Stride1D.Dense>> _constantBuffers = [];
    private readonly Dictionary<SegmentCall, PreparedResults> _prepared = [];
    private long _uploadGeneration;

    /// <param name="kernels">The assembly the plan's kernel source was compiled into.</param>
    public GpuProgram(GpuProgramPlan plan, GpuDevice device, Assembly kernels)
    {
        Plan = plan;
        Device = device;
        var accelerator = device.Accelerator;
        foreach (var kernel in plan.Kernels)
        {
            var type = kernels.GetType($"{GpuProgramPlan.KernelNamespace}.{kernel.ClassName}")
                ?? throw new InvalidOperationException($"generated kernel {kernel.ClassName} is missing from its assembly");
            ElementwiseKernels[kernel.ClassName] = (ElementwiseKernel)Activator.CreateInstance(type, accelerator)!;
        }
        foreach (var step in plan.Segments.Values.SelectMany(s => s.AllSteps).OfType<OpKernelStep>())
            OpKernels.TryAdd(step.Kernel, device.Library.Get(step.Node.Op));
        foreach (var step in plan.Segments.Values.SelectMany(s => s.AllSteps).OfType<DenseEpilogueStep>())
            OpKernels.TryAdd(step.Kernel, device.Library.Get(step.Dense.Op));
        lock (device.Gate)
        {
            foreach (var step in plan.Segments.Values.SelectMany(s => s.Steps).OfType<ConstantStep>())
            {
                var value = (Tensor)Interpreter.Constant(step.Node);
                var buffer = accelerator.Allocate1D<byte>(Math.Max(1, value.AsBytes().Length));
                GpuTransfers.Allocation();
                _constantBuffers.Add(buffer);
                DeviceCopies.Upload(accelerator.DefaultStream, value, buffer.View);
                Constants[step.Node] = new DeviceTensor(buffer.View, value.DType, [.. value.Shape]);
            }
            accelerator.DefaultStream.Synchronize();
        }
        WeightIndex = plan.Program.Original.Weights.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i);
        LoopHeads = FindLoopHeads(plan.Program.Host);
    }

    public GpuProgramPlan Plan { get; }

    public GpuDevice Device { get; }

    internal Dictionary<string, ElementwiseKernel> ElementwiseKernels { get; } = new(StringComparer.Ordinal);

    internal Dictionary<Type, GpuOpKernel> OpKernels { get; } = [];

    internal Dictionary<Node, DeviceTensor> Constants { get; } = [];

    /// <summary>Each program weight's position in the program's weight list.</summary>
    internal Dictionary<Value, int> WeightIndex { get; }

    /// <summary>Host blocks entered by a back edge (depth-first from the entry), in block order.</summary>
    public IReadOnlyList<string> LoopHeads { get; }

    public IHostProgram CreateState() => new GpuHostProgram(this);

    /// <summary>The device copies of <paramref name="weights"/>: uploaded the first time a tensor
    /// is seen and again only when its version changed (<see cref="Tensor.MarkModified"/>). Each
    /// upload gets a new generation (in <paramref name="generations"/>), which tells weight-only
    /// results computed from an earlier upload apart. Copies of tensors that are not among
    /// <paramref name="weights"/> (those a new state dict replaced) are dropped: their buffers hold
    /// the new tensors where large enough and are freed otherwise, so loading state dicts again and
    /// again does not grow device memory. That is safe because every run holds
    /// <see cref="GpuDevice.Gate"/> until its stream is drained, and a state whose copies were
    /// dropped binds again before it runs (<see cref="IsResident"/>).</summary>
    internal DeviceTensor[] DeviceWeights(Tensor[] weights, out long[] generations)
    {
        lock (Device.Gate)
        {
            var bound = new HashSet<Tensor>(weights, ReferenceEqualityComparer.Instance);
            var retired = new List<MemoryBuffer1D<byte, Stride1D.Dense>>();
            foreach (var stale in _weights.Keys.Where(t => !bound.Contains(t)).ToList())
            {
                retired.Add(_weights[stale].Buffer);
                _weights.Remove(stale);
            }
            var result = new DeviceTensor[weights.Length];
            generations = new long[weights.Length];
            var stream = Device.Accelerator.DefaultStream;
            for (var i = 0; i < weights.Length; i++)
            {
                var w = weights[i];
                var bytes = w.AsBytes().Length;
                if (_weights.TryGetValue(w, out var known) && known.Version == w.Version)
                {
                    result[i] = known.Tensor;
                    generations[i] = known.Generation;
                    continue;
                }
                MemoryBuffer1D<byte, Stride1D.Dense> buffer;
                if (known.Buffer is { } own && own.Length >= bytes) buffer = own;
                else
                {
                    if (known.Buffer is { } small) retired.Add(small);
                    buffer = TakeRetired(retired, bytes) ?? Allocate(bytes);
                }
                DeviceCopies.Upload(stream, w, buffer.View);
                var tensor = new DeviceTensor(buffer.View, w.DType, [.. w.Shape]);
                var generation = ++_uploadGeneration;
                _weights[w] = (w.Version, generation, buffer, tensor);
                result[i] = tensor;
                generations[i] = generation;
            }
            stream.Synchronize();
            foreach (var buffer in retired) buffer.Dispose();
            return result;
        }
    }

    /// <summary>Whether the device copies a state was bound to (<paramref name="weights"/> with
    /// <paramref name="generations"/>) are still held: false after another binding dropped or
    /// replaced one of them. Call under <see cref="GpuDevice.Gate"/>.</summary>
    internal bool IsResident(Tensor[] weights, long[] generations)
    {
        for (var i = 0; i < weights.Length; i++)
            if (!_weights.TryGetValue(weights[i], out var known) || known.Generation != generations[i]) return false;
        return true;
    }

    /// <summary>Weight tensors with a device copy (for tests: bounded by the program's weights).</summary>
    internal int ResidentWeights
    {
        get { lock (Device.Gate) return _weights.Count; }
    }

    /// <summary>The smallest retired buffer that holds <paramref name="bytes"/>, taken off the list.</summary>
    private static MemoryBuffer1D<byte, Stride1D.Dense>? TakeRetired(List<MemoryBuffer1D<byte, Stride1D.Dense>> retired, long bytes)
    {
        var best = -1;
        for (var i = 0; i < retired.Count; i++)
            if (retired[i].Length >= bytes && (best < 0 || retired[i].Length < retired[best].Length)) best = i;
        if (best < 0) return null;
        var buffer = retired[best];
        retired.RemoveAt(best);
        return buffer;
    }

    /// <summary>Puts the weight-only results of call site <paramref name="call"/> into
    /// <paramref name="values"/> (the call's segment environment, its weights already in place):
    /// the ones kept from an earlier call when the weights they read carry the same upload
    /// generations (<paramref name="generations"/>, of the weights at <see cref="GpuSegmentPlan.PreparedWeights"/>), else
    /// computed now on <paramref name="stream"/> into the site's persistent buffers. The results are
    /// shared by every execution state; they are computed under <see cref="GpuDevice.Gate"/>, once,
    /// and the stream is drained before another state's stream may read them.</summary>
    internal void Prepare(SegmentCall call, GpuSegmentPlan segment, object?[] values, long[] generations, AcceleratorStream stream)
    {
        if (segment.Preparation.Count == 0) return;
        lock (Device.Gate)
        {
            if (!_prepared.TryGetValue(call, out var results))
                _prepared[call] = results = new PreparedResults(segment.PreparedValues.Count);
            if (!results.IsCurrent(generations))
            {
                results.Invalidate();
                DeviceTensor Place(Value v, System.Collections.Immutable.ImmutableArray<int> shape)
                {
                    var home = (PreparedHome)segment.Homes[v];
                    var type = (TensorType)v.Type;
                    var bytes = shape.Aggregate(1L, (n, d) => n * d) * type.DType.ElementSize();
                    return new DeviceTensor(results.Storage(Device.Accelerator, stream, home.Index, bytes), type.DType, shape);
                }
                // Constants the weight-only nodes read are set first.
                var run = new SegmentRun(this, stream, segment, values, Place, (_, _) => { }, HostCallbacks.None);
                run.Execute(segment.Steps.OfType<ConstantStep>(), weightOnly: false);
                run.Execute(segment.Preparation, weightOnly: true);
                stream.Synchronize();
                for (var i = 0; i < segment.PreparedValues.Count; i++)
                    results.Tensors[i] = (DeviceTensor)values[segment.Slots[segment.PreparedValues[i]]]!;
                results.Computed(generations);
                return;
            }
            for (var i = 0; i < segment.PreparedValues.Count; i++)
                values[segment.Slots[segment.PreparedValues[i]]] = results.Tensors[i];
        }
    }

    private MemoryBuffer1D<byte, Stride1D.Dense> Allocate(long bytes)
    {
        GpuTransfers.Allocation();
        return Device.Accelerator.Allocate1D<byte>(Math.Max(1, bytes));
    }

    private static List<string> FindLoopHeads(IReadOnlyList<HostBlock> blocks)
    {
        var byName = blocks.ToDictionary(b => b.Name);
        var heads = new HashSet<string>(StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        if (blocks.Count == 0) return [];
        // Iterative depth-first search: 1 = on the stack, 2 = done.
        var stack = new Stack<(string Block, int Next)>();
        stack.Push((blocks[0].Name, 0));
        state[blocks[0].Name] = 1;
        while (stack.Count > 0)
        {
            var (name, next) = stack.Pop();
            var successors = byName[name].Terminator.Successors;
            if (next >= successors.Count)
            {
                state[name] = 2;
                continue;
            }
            stack.Push((name, next + 1));
            var target = successors[next].Block;
            switch (state.GetValueOrDefault(target))
            {
                case 0:
                    state[target] = 1;
                    stack.Push((target, 0));
                    break;
                case 1:
                    heads.Add(target);
                    break;
            }
        }
        return [.. blocks.Select(b => b.Name).Where(heads.Contains)];
    }
}

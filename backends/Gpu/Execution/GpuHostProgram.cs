using System.Collections.Immutable;
using DyCompile.IR;
using DyCompile.Passes.Partition;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using ILGPU;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu;

/// <summary>One execution state of a GPU program, and its host: a walker over the partitioned
/// program's host blocks. It evaluates host scalar ops on the host, calls each block's segment by
/// enqueueing its steps on the state's one stream, and follows the terminators; tensors stay
/// <see cref="DeviceTensor"/>s from the upload of the inputs to the download of the results. The
/// host waits for the device only where a value must reach it: an <c>item</c> (a branch or loop
/// condition, or a host scalar the program computes with), and the results of the call.</summary>
/// <remarks>A state owns its stream, its arena (one device buffer laid out by
/// <see cref="GpuProgramPlan"/>) and its grown buffers, and serves one call at a time; the compiled
/// program pools states for concurrent callers. Runs of all programs on one device are serialised
/// by <see cref="GpuDevice.Gate"/>.</remarks>
public sealed class GpuHostProgram : IHostProgram
{
    private readonly GpuProgram _program;
    private readonly Accelerator _accelerator;
    private readonly AcceleratorStream _stream;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> _arena;
    private readonly ScalarReadback _readback;
    private readonly Dictionary<DistinctSegment, GrownBuffer[]> _grownValues = [];
    private readonly Dictionary<(SegmentCall, int), GrownBuffer[]> _grownOutputs = [];
    private readonly GrownBuffer?[] _grownInputs;
    private readonly Dictionary<string, HostBlock> _blocks;
    private readonly Dictionary<string, int> _loopIndex;
    private DeviceTensor[] _weights = [];
    private long[] _weightGenerations = [];
    private Tensor[] _boundWeights = [];
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DeviceTensor, DeviceRegion> _regions = [];

    internal GpuHostProgram(GpuProgram program)
    {
        _program = program;
        _accelerator = program.Device.Accelerator;
        var plan = program.Plan;
        lock (program.Device.Gate)
        {
            _stream = _accelerator.CreateStream();
            // One alignment unit more, so an empty region at the very end is still inside the buffer.
            _arena = _accelerator.Allocate1D<byte>(plan.ArenaBytes + GpuSegmentPlan.Alignment);
            GpuTransfers.Allocation();
            _readback = new ScalarReadback(_accelerator);
        }
        foreach (var (d, segment) in plan.Segments)
            _grownValues[d] = [.. Enumerable.Range(0, segment.GrownCount).Select(_ => new GrownBuffer())];
        foreach (var (key, pool) in plan.Pools)
            if (pool.Regions is null) _grownOutputs[key] = [.. Enumerable.Range(0, pool.Size).Select(_ => new GrownBuffer())];
        _grownInputs = [.. plan.Inputs.Select(r => r is null ? new GrownBuffer() : null)];
        _blocks = plan.Program.Host.ToDictionary(b => b.Name, StringComparer.Ordinal);
        _loopIndex = program.LoopHeads.Select((h, i) => (h, i)).ToDictionary(p => p.h, p => p.i, StringComparer.Ordinal);
    }

    public List<string>? Path { get; set; }

    public ExecutionControl Control { get; set; } = null!;

    public HostCallbacks Callbacks { get; set; } = HostCallbacks.None;

    public IReadOnlyList<string> LoopHeads => _program.LoopHeads;

    /// <summary>Nothing is prepared on the host: the weight-only work runs on the device, once per
    /// call site and weight upload, into buffers the program keeps for all its states (<see cref="GpuProgram.Prepare"/>).</summary>
    public Tensor[][] Prepare(Tensor[] weights) => [];

    public void Bind(Tensor[] weights, Tensor[][] prepared)
    {
        _weights = _program.DeviceWeights(weights, out _weightGenerations);
        _boundWeights = weights;
    }

    private ArrayView<byte> Arena => _arena.View;

    private (ArrayView<byte> Storage, DeviceRegion Region) ArenaRegion(long offset, long bytes) =>
        (Arena.SubView(offset, bytes), new DeviceRegion(_arena, offset, bytes));

    private DeviceTensor Register(DeviceTensor tensor, DeviceRegion region)
    {
        _regions.AddOrUpdate(tensor, region);
        return tensor;
    }

    private DeviceRegion? RegionOf(DeviceTensor t) => _regions.TryGetValue(t, out var r) ? r : null;

    /// <summary>A view shares its operand's bytes.</summary>
    private void Alias(DeviceTensor view, DeviceTensor of)
    {
        if (RegionOf(of) is { } region) Register(view, region);
    }

    /// <summary>The device the program runs on.</summary>
    public GpuDevice Device => _program.Device;

    /// <summary>Whether this state reads <c>item</c> scalars back through page-locked host memory.</summary>
    internal bool ReadsPageLocked => _readback.IsPageLocked;

    public void Run(object[] inputs, object[] outputs) => Run(inputs, outputs, deviceResults: false);

    /// <summary>A call whose tensors stay on the device: a tensor input may be a host
    /// <see cref="Tensor"/> (uploaded), a <see cref="GpuTensor"/> or a <see cref="DeviceTensor"/> of
    /// this program's device (read in place, never written); each tensor result is copied, device to
    /// device, into a <see cref="GpuTensor"/> the caller owns: the one already in its slot of
    /// <paramref name="outputs"/> when that belongs to this device and its buffer holds the result,
    /// else a new one. Host scalar results are as for <see cref="Run(object[], object[])"/>.</summary>
    /// <exception cref="ArgumentException">A device input lives on another accelerator.</exception>
    /// <exception cref="ObjectDisposedException">A <see cref="GpuTensor"/> input was disposed.</exception>
    public void RunOnDevice(object[] inputs, object[] outputs)
    {
        for (var i = 0; i < inputs.Length; i++)
            if (inputs[i] is DeviceTensor or GpuTensor) CheckDeviceInput(i, inputs[i]);
        Run(inputs, outputs, deviceResults: true);
    }

    private void CheckDeviceInput(int index, object input)
    {
        var tensor = input is GpuTensor g ? g.Tensor : (DeviceTensor)input;
        var home = tensor.Bytes.GetAccelerator();
        if (!ReferenceEquals(home, _accelerator))
            throw new ArgumentException($"input {index} is a device tensor of another accelerator, '{home.Name}' ({home.AcceleratorType}), but the program runs on '{_accelerator.Name}' ({_accelerator.AcceleratorType}); download it and pass the host tensor, or compile the program for that device", nameof(input));
    }

    private void Run(object[] inputs, object[] outputs, bool deviceResults)
    {
        lock (_program.Device.Gate)
        {
            try
            {
                // A binding made for another state between this state's bind and this run may have
                // dropped the copies it holds (a new state dict).
                if (!_program.IsResident(_boundWeights, _weightGenerations))
                    _weights = _program.DeviceWeights(_boundWeights, out _weightGenerations);
                Walk(inputs, outputs, deviceResults);
            }
            catch
            {
                // Work this call queued may read buffers that the next call, of any state, rewrites.
                _stream.Synchronize();
                throw;
            }
        }
    }

    private void Walk(object[] inputs, object[] outputs, bool deviceResults)
    {
        var plan = _program.Plan;
        var env = new Dictionary<Value, object>();
        var block = plan.Program.Host[0];
        for (var i = 0; i < inputs.Length; i++)
            env[block.Parameters[i]] = inputs[i] switch
            {
                Tensor t => UploadInput(i, t),
                GpuTensor g => g.Tensor,
                var other => other,
            };
        while (true)
        {
            Path?.Add(block.Name);
            if (_loopIndex.TryGetValue(block.Name, out var loop)) Control.Tick(loop);
            foreach (var node in block.Before) env[node.Result] = EvaluateHost(node, node.Operands.Select(v => env[v]).ToArray());
            if (block.Call is { } call) RunCall(block, call, env);
            foreach (var node in block.After) env[node.Result] = EvaluateHost(node, node.Operands.Select(v => env[v]).ToArray());
            switch (block.Terminator)
            {
                case Jump jump:
                    block = Enter(jump.Target, env);
                    break;
                case Branch branch:
                    block = Enter((bool)env[branch.Condition] ? branch.IfTrue : branch.IfFalse, env);
                    break;
                case Return ret:
                    for (var i = 0; i < ret.Values.Length; i++)
                        outputs[i] = env[ret.Values[i]] is not DeviceTensor d ? env[ret.Values[i]]
                            : deviceResults ? CopyOut(d, outputs[i])
                            : DeviceCopies.Download(_stream, d);
                    _stream.Synchronize();
                    return;
                default:
                    throw new InvalidOperationException($"host block ^{block.Name} has an unknown terminator");
            }
        }
    }

    /// <summary>A result the caller owns: <paramref name="previous"/> when it is a live tensor of this
    /// device that holds <paramref name="result"/>'s bytes, else a new one.</summary>
    private GpuTensor CopyOut(DeviceTensor result, object? previous)
    {
        var bytes = result.Bytes.Length;
        GpuTensor target;
        if (previous is GpuTensor { IsDisposed: false } reused && ReferenceEquals(reused.Device, _program.Device) && reused.Capacity >= Math.Max(1, bytes))
        {
            target = reused;
            target.Reshape(result.DType, result.Shape);
        }
        else target = GpuTensor.Allocate(_program.Device, result.DType, result.Shape);
        if (bytes > 0) result.Bytes.CopyTo(_stream, target.Tensor.Bytes);
        return target;
    }

    private HostBlock Enter(BlockTarget target, Dictionary<Value, object> env)
    {
        var next = _blocks[target.Block];
        var args = target.Arguments.Select(v => env[v]).ToArray();
        for (var i = 0; i < args.Length; i++) env[next.Parameters[i]] = args[i];
        return next;
    }

    private DeviceTensor UploadInput(int index, Tensor t)
    {
        var bytes = (long)t.AsBytes().Length;
        var (storage, region) = _program.Plan.Inputs[index] is { } planned
            ? ArenaRegion(planned.Offset, planned.Bytes)
            : _grownInputs[index]!.Get(_accelerator, _stream, bytes);
        DeviceCopies.Upload(_stream, t, storage);
        return Register(new DeviceTensor(storage, t.DType, [.. t.Shape]), region);
    }

    private object EvaluateHost(Node node, object[] operands) => node.Op switch
    {
        "const" => Interpreter.Constant(node),
        "host.call" => Callbacks.Invoke((int)operands[0], HostValues(operands[1..])),
        "host.dim" when operands[0] is DeviceTensor d => d.Dim((int)operands[1]),
        _ => HostEvaluator.Evaluate(node.Op, operands),
    };

    /// <summary>An eager region reads host tensors: the device tensors it is given are downloaded
    /// (this waits for the stream, as any read-back does).</summary>
    private object[] HostValues(object[] values)
    {
        var result = new object[values.Length];
        for (var i = 0; i < values.Length; i++)
            result[i] = values[i] is DeviceTensor d ? DeviceCopies.Download(_stream, d) : values[i];
        if (values.Any(v => v is DeviceTensor)) _stream.Synchronize();
        return result;
    }

    /// <summary>Runs one call site: picks each output's destination among the site's buffers (one
    /// that no live tensor of the block uses), then enqueues the segment's steps.</summary>
    private void RunCall(HostBlock block, SegmentCall call, Dictionary<Value, object> env)
    {
        var plan = _program.Plan;
        var segment = plan.Segments[call.Segment.Distinct];
        var graph = segment.Segment.Graph;
        var live = block.Parameters.Select(p => env[p]).OfType<DeviceTensor>().ToList();
        var chosen = new int[graph.Outputs.Length];
        for (var k = 0; k < graph.Outputs.Length; k++)
        {
            if (!plan.Pools.TryGetValue((call, k), out var pool)) continue;
            var j = 0;
            while (j < pool.Size - 1 && SlotRegion(call, k, pool, j) is { } slot && live.Any(t => RegionOf(t)?.Overlaps(slot) == true)) j++;
            chosen[k] = j;
        }

        var values = new object?[segment.Slots.Count];
        for (var i = 0; i < graph.Inputs.Length; i++) values[segment.Slots[graph.Inputs[i]]] = env[call.Inputs[i]];
        for (var i = 0; i < graph.Weights.Length; i++) values[segment.Slots[graph.Weights[i]]] = _weights[_program.WeightIndex[call.Weights[i]]];
        if (segment.Preparation.Count > 0)
            _program.Prepare(call, segment, values, [.. segment.PreparedWeights.Select(k => _weightGenerations[_program.WeightIndex[call.Weights[k]]])], _stream);

        DeviceTensor Place(Value v, ImmutableArray<int> shape)
        {
            var type = (TensorType)v.Type;
            var bytes = shape.Aggregate(1L, (n, d) => n * d) * type.DType.ElementSize();
            var (storage, region) = segment.Homes[v] switch
            {
                OutputHome { Output: var k } => Destination(call, k, chosen[k], bytes),
                ScratchHome { Offset: var offset } => ArenaRegion(offset, bytes),
                GrownHome { Index: var g } => _grownValues[segment.Segment][g].Get(_accelerator, _stream, bytes),
                var home => throw new InvalidOperationException($"no storage for {home}"),
            };
            return Register(new DeviceTensor(storage, type.DType, shape), region);
        }

        new SegmentRun(_program, _stream, segment, values, Place, Alias, Callbacks, _readback).Execute();

        for (var k = 0; k < graph.Outputs.Length; k++)
        {
            var value = values[segment.Slots[graph.Outputs[k]]]!;
            if (value is DeviceTensor t && segment.Homes.GetValueOrDefault(graph.Outputs[k]) is not OutputHome && IsTransient(segment, t))
            {
                // A view of a segment intermediate: its storage is reused by the next segment.
                var (storage, region) = Destination(call, k, chosen[k], t.Bytes.Length);
                var copy = Register(new DeviceTensor(storage, t.DType, t.Shape), region);
                t.Bytes.CopyTo(_stream, copy.Bytes);
                value = copy;
            }
            env[call.Outputs[k]] = value;
        }
    }

    private (ArrayView<byte> Storage, DeviceRegion Region) Destination(SegmentCall call, int k, int j, long bytes) =>
        _program.Plan.Pools[(call, k)] is { Regions: { } regions }
            ? ArenaRegion(regions[j].Offset, regions[j].Bytes)
            : _grownOutputs[(call, k)][j].Get(_accelerator, _stream, bytes);

    private DeviceRegion? SlotRegion(SegmentCall call, int k, OutputPool pool, int j) =>
        pool.Regions is { } regions ? new DeviceRegion(_arena, regions[j].Offset, Math.Max(1, regions[j].Bytes)) : _grownOutputs[(call, k)][j].Current;

    /// <summary>Whether <paramref name="t"/> lives in storage the segment reuses: the scratch area or its grown intermediates.</summary>
    private bool IsTransient(GpuSegmentPlan segment, DeviceTensor t) =>
        RegionOf(t) is { } region
        && (region.Overlaps(new DeviceRegion(_arena, 0, Math.Max(1, _program.Plan.ScratchBytes)))
            || _grownValues[segment.Segment].Any(g => g.Current is { } grown && region.Overlaps(grown)));
}

using DyCompile.Backends.Gpu;
using DyCompile.Backends.Host;
using DyCompile.Compiler.Jit;
using DyCompile.IR;
using DyCompile.Passes.Partition;
using DyCompile.Passes.Pipeline;
using DyCompile.Runtime;
using DyCompile.Runtime.Compiled;
using DyCompile.Runtime.Nn;

namespace DyCompile;

/// <summary>A program compiled to a loaded host dispatcher plus segment classes. <see cref="Run"/>
/// has the interpreter's calling convention (inputs in program order: Tensors and int, float,
/// bool host scalars).</summary>
/// <remarks>
/// <para>Thread safety: every member may be called from many threads at once. Each call takes an
/// execution state (scratch and output buffers) from a pool and returns it when it ends, so calls
/// never share buffers and never wait for each other. Result tensors of <see cref="Run"/> and
/// <see cref="RunInto"/> belong to the caller. <see cref="OpenSession"/> is the explicit opt-in to
/// results that live in the program's buffers (no copy, no allocation), for one caller at a time.</para>
/// <para>Weights: a program compiled from a model instance follows the instance's registered
/// parameters and buffers (<c>LoadStateDict</c> replaces them; the next call uses the new tensors
/// and redoes the weight-only work such as folded batch-norm). A weight changed in place must be
/// marked with <see cref="Tensor.MarkModified"/>, after which the next call redoes that work too.</para>
/// <para>Stopping: a call's <see cref="CancellationToken"/> and <see cref="CompileOptions.LoopIterationLimit"/>
/// are checked at every loop head; stopping throws <see cref="LoopStoppedException"/> and the
/// program stays usable.</para>
/// <para>Unloading: the generated code lives in a collectible load context, released by
/// <see cref="Dispose"/> (of every program compiled together) or when the programs are collected.</para>
/// </remarks>
public sealed class CompiledProgram : IDisposable
{
    private readonly bool _recordPath;
    private readonly long? _iterationLimit;
    private readonly GeneratedCode _code;
    private readonly StatePool<ExecutionState> _pool;
    private readonly ModuleWeights? _source;
    private readonly object _bindLock = new();
    private WeightBinding? _binding;
    private readonly Tensor[] _compiledWeights;
    private int _disposed;
    private int _statesCreated;

    /// <summary>Execution states made so far (tests check that stopped calls give theirs back).</summary>
    internal int StatesCreated => Volatile.Read(ref _statesCreated);

    internal CompiledProgram(IRProgram program, PlannedProgram planned, GeneratedProgram generated, string source, IReadOnlyList<PassDump> dumps,
        GeneratedCode code, Func<IHostProgram> createHost, Tensor[] weights, ModuleWeights? weightSource, IReadOnlyDictionary<string, string>? loopSources, HostCallbacks callbacks, CompileOptions options)
    {
        Program = program;
        Planned = planned;
        Callbacks = callbacks;
        Generated = generated;
        Source = source;
        PassDumps = dumps;
        _recordPath = options.RecordPath;
        _iterationLimit = options.LoopIterationLimit;
        _code = code;
        _source = weightSource;
        _compiledWeights = weights;
        code.AddUser();
        string?[]? sources = null;
        _pool = new StatePool<ExecutionState>(() =>
        {
            Interlocked.Increment(ref _statesCreated);
            var host = createHost();
            host.Callbacks = callbacks;
            sources ??= [.. host.LoopHeads.Select(h => loopSources?.GetValueOrDefault(h))];
            var control = new ExecutionControl(host.LoopHeads, sources);
            host.Control = control;
            return new ExecutionState(host, control);
        });
        // Bind once now, so the weight-only work is done before the first call.
        var state = _pool.Rent();
        state.BindTo(CurrentBinding(state));
        _pool.Return(state);
    }

    public IRProgram Program { get; }

    /// <summary>The eager regions the program's <c>host.call</c>s run.</summary>
    public HostCallbacks Callbacks { get; }

    public PartitionedProgram Partition => Planned.Partition;

    /// <summary>The program as the per-segment passes left it: each distinct segment's weight
    /// preparation, fused steps and memory plan.</summary>
    public PlannedProgram Planned { get; }

    /// <summary>This program's generated C# (its namespace only).</summary>
    public GeneratedProgram Generated { get; }

    /// <summary>The whole compilation unit it was built in (may hold other programs too).</summary>
    public string Source { get; }

    /// <summary>The program after each pass, in order.</summary>
    public IReadOnlyList<PassDump> PassDumps { get; }

    /// <summary>Runs the program; the result tensors are the caller's (copies of the program's
    /// buffers). Safe to call from many threads at once.</summary>
    /// <exception cref="LoopStoppedException"><paramref name="cancellation"/> was cancelled, or the
    /// loops ran past <see cref="CompileOptions.LoopIterationLimit"/>.</exception>
    public RunResult Run(IReadOnlyList<object> inputs, CancellationToken cancellation = default)
    {
        CheckInputs(inputs);
        var path = _recordPath ? new List<string>() : null;
        var outputs = new object[Program.ResultTypes.Length];
        var state = Enter();
        try
        {
            state.Host.Path = path;
            Execute(state, [.. inputs], outputs, cancellation);
            TakeOwnership(outputs);
        }
        finally
        {
            state.Host.Path = null;
            ReturnState(state);
        }
        return new RunResult(outputs, (IReadOnlyList<string>?)path ?? [], 0);
    }

    /// <summary>Runs with no path recording and writes the results to <paramref name="outputs"/>
    /// (one slot per program result). Result tensors are the caller's (copies of the program's
    /// buffers); a host scalar result reuses the boxed value already in its slot when it is
    /// unchanged. Safe to call from many threads at once (each with its own output array). For
    /// calls that allocate nothing, with results left in the program's buffers, use a
    /// <see cref="OpenSession">session</see>.</summary>
    /// <exception cref="LoopStoppedException">As for <see cref="Run"/>.</exception>
    public void RunInto(object[] inputs, object[] outputs, CancellationToken cancellation = default)
    {
        CheckInputs(inputs);
        CheckOutputs(outputs);
        var state = Enter();
        try
        {
            Execute(state, inputs, outputs, cancellation);
            TakeOwnership(outputs);
        }
        finally
        {
            ReturnState(state);
        }
    }

    /// <summary>Runs a program compiled for a GPU target with its tensors on the device, for callers
    /// that chain programs: a tensor input may be a host <see cref="Tensor"/> (uploaded), or a
    /// <see cref="GpuTensor"/> or <see cref="DeviceTensor"/> on this program's device (read in place,
    /// never written: no upload); each tensor result is written, device to device, into a
    /// <see cref="GpuTensor"/> the caller owns — the one already in its slot of
    /// <paramref name="outputs"/> when it is on this device and large enough, else a new one — and
    /// nothing is downloaded (<see cref="GpuTensor.Download"/> does that). A result therefore stays
    /// valid across later calls of this or any program until the caller disposes it. Host scalar
    /// results are as for <see cref="RunInto"/>. Safe to call from many threads at once, each with
    /// its own output array.</summary>
    /// <exception cref="ArgumentException">An input of the wrong dtype or shape, or a device tensor
    /// of another accelerator.</exception>
    /// <exception cref="ObjectDisposedException">A <see cref="GpuTensor"/> input was disposed.</exception>
    /// <exception cref="InvalidOperationException">The program was not compiled for a GPU target.</exception>
    /// <exception cref="LoopStoppedException">As for <see cref="Run"/>.</exception>
    public void RunOnDevice(object[] inputs, object[] outputs, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var declared = Program.Inputs;
        if (inputs.Length != declared.Length)
            throw new ArgumentException($"program @{Program.Name} takes {declared.Length} input(s), {inputs.Length} given");
        for (var i = 0; i < declared.Length; i++)
        {
            var device = inputs[i] switch { GpuTensor g => g.Tensor, var other => other as DeviceTensor };
            var accepted = device is null ? Accepts(declared[i].Type, inputs[i]) : declared[i].Type is TensorType t && t.Accepts(device.DType, device.Shape.AsSpan());
            if (!accepted)
                throw new ArgumentException($"program @{Program.Name}: input %{declared[i].Name} must be {declared[i].Type}, got {(device is null ? Describe(inputs[i]) : $"device tensor<{device.DType.ShortName()}, {Shapes.Format(device.Shape.AsSpan())}>")}");
        }
        CheckOutputs(outputs);
        var state = Enter();
        try
        {
            if (state.Host is not GpuHostProgram gpu)
                throw new InvalidOperationException($"program @{Program.Name} was not compiled for a GPU target; RunOnDevice needs Target.Cuda, Target.OpenCL or Target.IlgpuCpu");
            state.BindTo(CurrentBinding(state));
            state.Control.Start(cancellation, _iterationLimit);
            gpu.RunOnDevice(inputs, outputs);
        }
        finally
        {
            ReturnState(state);
        }
    }

    /// <summary>The device a program compiled for a GPU target runs on (for <see cref="GpuTensor.Upload"/>); null for the CPU target.</summary>
    public GpuDevice? Device
    {
        get
        {
            var state = Enter();
            try
            {
                return (state.Host as GpuHostProgram)?.Device;
            }
            finally
            {
                ReturnState(state);
            }
        }
    }

    /// <summary>Opens a session: an execution state of its own, for one caller at a time, whose
    /// calls allocate nothing in the steady state because result tensors stay in the session's
    /// buffers (valid until its next call; clone what you keep). Sessions of one program run
    /// concurrently with each other and with <see cref="Run"/>. Dispose it to give its buffers back
    /// to the program.</summary>
    public CompiledSession OpenSession()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new CompiledSession(this, _pool.Rent());
    }

    /// <summary>Unloads the generated code once every program compiled with this one is disposed
    /// (or collected). Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _pool.Clear();
        _code.Release();
    }

    /// <summary>The loaded generated code (tests check that it is unloaded).</summary>
    internal System.Reflection.Assembly GeneratedAssembly => _code.Assembly;

    internal void ReturnState(ExecutionState state)
    {
        if (Volatile.Read(ref _disposed) == 0) _pool.Return(state);
    }

    private ExecutionState Enter()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _pool.Rent();
    }

    /// <summary>One call on a state the caller holds: bind the current weights, arm the stop conditions, run.</summary>
    internal void Execute(ExecutionState state, object[] inputs, object[] outputs, CancellationToken cancellation)
    {
        state.BindTo(CurrentBinding(state));
        state.Control.Start(cancellation, _iterationLimit);
        state.Host.Run(inputs, outputs);
    }

    /// <summary>Result tensors may be the state's buffers: the caller gets copies.</summary>
    private static void TakeOwnership(object[] outputs)
    {
        for (var i = 0; i < outputs.Length; i++)
            if (outputs[i] is Tensor t) outputs[i] = t.Clone();
    }

    /// <summary>The weights a call computes with now. Cheap when nothing changed (one load of
    /// <see cref="Module.StateVersion"/> and one of each weight's version); otherwise the tensors
    /// are read again from the model and the weight-only work is redone once, under a lock, for
    /// every state to share.</summary>
    private WeightBinding CurrentBinding(ExecutionState state)
    {
        var binding = Volatile.Read(ref _binding);
        if (binding is not null && (_source is null || binding.StateVersion == Module.StateVersion) && binding.VersionsHold())
            return binding;
        lock (_bindLock)
        {
            binding = _binding;
            var stateVersion = Module.StateVersion;
            if (binding is not null && (_source is null || binding.StateVersion == stateVersion) && binding.VersionsHold())
                return binding;
            var weights = binding is null ? _compiledWeights : _source?.Current(binding.Weights) ?? binding.Weights;
            // Versions are read before preparing: a change marked while preparing is seen by the next call.
            var versions = WeightBinding.VersionsOf(weights);
            var prepared = binding is not null && binding.SameAs(weights, versions) ? binding.Prepared : state.Host.Prepare(weights);
            binding = new WeightBinding(weights, versions, stateVersion, prepared);
            Volatile.Write(ref _binding, binding);
            return binding;
        }
    }

    private void CheckInputs(IReadOnlyList<object> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var declared = Program.Inputs;
        if (inputs.Count != declared.Length)
            throw new ArgumentException($"program @{Program.Name} takes {declared.Length} input(s), {inputs.Count} given");
        for (var i = 0; i < declared.Length; i++)
            if (!Accepts(declared[i].Type, inputs[i]))
                throw new ArgumentException($"program @{Program.Name}: input %{declared[i].Name} must be {declared[i].Type}, got {Describe(inputs[i])}");
    }

    internal void CheckCall(object[] inputs, object[] outputs)
    {
        CheckInputs(inputs);
        CheckOutputs(outputs);
    }

    private void CheckOutputs(object[] outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Length != Program.ResultTypes.Length)
            throw new ArgumentException($"program @{Program.Name} has {Program.ResultTypes.Length} result(s), {outputs.Length} output slot(s) given");
    }

    internal static bool SameType(Tensor a, Tensor b) => a.DType == b.DType && a.Shape.SequenceEqual(b.Shape);

    internal static bool Accepts(IRType type, object value) => (type, value) switch
    {
        (TensorType t, Tensor v) => t.Accepts(v.DType, v.Shape),
        (ScalarType { Kind: ScalarKind.Int }, int) => true,
        (ScalarType { Kind: ScalarKind.Float }, float) => true,
        (ScalarType { Kind: ScalarKind.Bool }, bool) => true,
        _ => false,
    };

    internal static string Describe(object? value) => value switch
    {
        null => "null",
        Tensor t => $"tensor<{t.DType.ShortName()}, {Shapes.Format(t.Shape)}>",
        _ => $"{value.GetType().Name} {value}",
    };
}

using DyCompile.Runtime.Nn;

namespace DyCompile.Runtime.Compiled;

/// <summary>What a forward compiled by the <c>dycompile</c> build step runs on: dispatcher
/// instances taken from a <see cref="StatePool{TState}"/> per call, so concurrent callers never
/// share buffers or wait for each other, each bound to the model's current weights. The weights are
/// read again (and the weight-only work prepared again) when a state dict was loaded anywhere
/// (<see cref="Module.StateVersion"/>) or a bound tensor was marked modified
/// (<see cref="Tensor.MarkModified"/>), so a call never computes with stale weights.</summary>
public sealed class AheadOfTimeForward
{
    private readonly Func<IHostProgram> _create;
    private readonly Func<Tensor[]> _readWeights;
    private readonly StatePool<Instance> _pool;
    private readonly object _bindGate = new();
    private Binding? _binding;

    /// <param name="create">A new dispatcher instance.</param>
    /// <param name="readWeights">The model's weights now, in program order.</param>
    public AheadOfTimeForward(Func<IHostProgram> create, Func<Tensor[]> readWeights)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(readWeights);
        _create = create;
        _readWeights = readWeights;
        _pool = new StatePool<Instance>(NewInstance);
    }

    /// <summary>Runs one call: <paramref name="inputs"/> in program order; results written to
    /// <paramref name="outputs"/>, tensors as copies the caller owns.</summary>
    public void Run(object[] inputs, object[] outputs)
    {
        var instance = _pool.Rent();
        try
        {
            var binding = Current(instance.Host);
            if (!ReferenceEquals(instance.Bound, binding))
            {
                instance.Host.Bind(binding.Weights, binding.Prepared);
                instance.Bound = binding;
            }
            instance.Host.Control.Start(CancellationToken.None, iterationLimit: null);
            instance.Host.Run(inputs, outputs);
            for (var i = 0; i < outputs.Length; i++)
                if (outputs[i] is Tensor t) outputs[i] = t.Clone();
        }
        finally
        {
            _pool.Return(instance);
        }
    }

    private Instance NewInstance()
    {
        var host = _create();
        host.Control = new ExecutionControl(host.LoopHeads, new string?[host.LoopHeads.Count]);
        return new Instance(host);
    }

    private Binding Current(IHostProgram host)
    {
        var binding = Volatile.Read(ref _binding);
        if (binding is not null && binding.IsCurrent()) return binding;
        lock (_bindGate)
        {
            binding = _binding;
            if (binding is not null && binding.IsCurrent()) return binding;
            var stateVersion = Module.StateVersion;
            var weights = _readWeights();
            var versions = new int[weights.Length];
            for (var i = 0; i < weights.Length; i++) versions[i] = weights[i].Version;
            binding = new Binding(stateVersion, weights, versions, host.Prepare(weights));
            Volatile.Write(ref _binding, binding);
            return binding;
        }
    }

    private sealed class Instance(IHostProgram host)
    {
        public IHostProgram Host { get; } = host;

        public Binding? Bound { get; set; }
    }

    private sealed class Binding(long stateVersion, Tensor[] weights, int[] versions, Tensor[][] prepared)
    {
        public Tensor[] Weights { get; } = weights;

        public Tensor[][] Prepared { get; } = prepared;

        public bool IsCurrent()
        {
            if (Module.StateVersion != stateVersion) return false;
            for (var i = 0; i < versions.Length; i++)
                if (Weights[i].Version != versions[i]) return false;
            return true;
        }
    }
}

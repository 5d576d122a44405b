namespace DyCompile.Runtime.Nn;

/// <summary>Base of every layer: holds named parameters, buffers and submodules in registration
/// order, and reads and writes them as a PyTorch-style state dict with dotted names
/// ("layers.0.weight").</summary>
/// <remarks>Parameters are learned weights; buffers are state that is saved but not learned
/// (BatchNorm's running statistics). Both belong to the state dict, parameters first, then
/// buffers, then each submodule's entries under its name — PyTorch's order.</remarks>
public abstract class Module
{
    private enum Kind { Parameter, Buffer }

    private sealed class Slot(string name, Kind kind, Tensor value, bool optionalOnLoad)
    {
        public string Name { get; } = name;
        public Kind Kind { get; } = kind;
        public Tensor Value { get; set; } = value;
        public bool OptionalOnLoad { get; } = optionalOnLoad;
    }

    private static long _stateVersion;

    /// <summary>Makes <see cref="SaveStateDict"/> and the replacing step of <see cref="LoadStateDict"/>
    /// atomic with respect to each other, so a state dict read while another thread loads one is
    /// all old tensors or all new ones.</summary>
    private static readonly object _stateLock = new();

    /// <summary>Counts the replacements of parameters and buffers in every module (each
    /// <see cref="LoadStateDict"/> that changed something adds one). Compiled programs read it on
    /// every call to notice, at the cost of one load, that a model's tensors were replaced.</summary>
    public static long StateVersion => Volatile.Read(ref _stateVersion);

    private readonly List<Slot> _slots = [];
    private readonly List<(string Name, Module Module)> _children = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    // ---- registration ----

    protected Tensor RegisterParameter(string name, Tensor value) => Register(name, Kind.Parameter, value, optionalOnLoad: false);

    /// <summary>Registers a buffer; an optional one keeps its value when a state dict lacks it
    /// (as BatchNorm's num_batches_tracked, absent from older PyTorch checkpoints).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value, bool optionalOnLoad = false) => Register(name, Kind.Buffer, value, optionalOnLoad);

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        Reserve(name);
        _children.Add((name, module));
        return module;
    }

    private Tensor Register(string name, Kind kind, Tensor value, bool optionalOnLoad)
    {
        ArgumentNullException.ThrowIfNull(value);
        Reserve(name);
        _slots.Add(new Slot(name, kind, value, optionalOnLoad));
        return value;
    }

    private void Reserve(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' cannot name a parameter or submodule: names are non-empty and dot-free", nameof(name));
        if (!_names.Add(name))
            throw new ArgumentException($"'{name}' is already registered in {GetType().Name}", nameof(name));
    }

    /// <summary>The current value of an own parameter or buffer.</summary>
    protected Tensor Get(string name) => _slots.Find(s => s.Name == name)?.Value
        ?? throw new KeyNotFoundException($"{GetType().Name} has no parameter or buffer '{name}'");

    /// <summary>The current value of an own parameter or buffer, or null when it was not registered.</summary>
    protected Tensor? GetOrNull(string name) => _slots.Find(s => s.Name == name)?.Value;

    // ---- traversal ----

    /// <summary>Learned parameters of this module and all submodules, with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedParameters() =>
        Walk("").Where(e => e.Slot.Kind == Kind.Parameter).Select(e => (e.Name, e.Slot.Value));

    /// <summary>Buffers of this module and all submodules, with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedBuffers() =>
        Walk("").Where(e => e.Slot.Kind == Kind.Buffer).Select(e => (e.Name, e.Slot.Value));

    /// <summary>Direct submodules in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children;

    private IEnumerable<(string Name, Slot Slot)> Walk(string prefix)
    {
        foreach (var slot in _slots.Where(s => s.Kind == Kind.Parameter)) yield return (prefix + slot.Name, slot);
        foreach (var slot in _slots.Where(s => s.Kind == Kind.Buffer)) yield return (prefix + slot.Name, slot);
        foreach (var (name, child) in _children)
            foreach (var entry in child.Walk(prefix + name + "."))
                yield return entry;
    }

    // ---- state dict ----

    /// <summary>Every parameter and buffer by dotted name (the tensors themselves, not copies); a
    /// load running on another thread is seen whole or not at all.</summary>
    public IReadOnlyDictionary<string, Tensor> SaveStateDict()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        lock (_stateLock)
            foreach (var (name, slot) in Walk("")) result.Add(name, slot.Value);
        return result;
    }

    /// <summary>Replaces every parameter and buffer with the state dict's entry of the same
    /// dotted name. Nothing changes unless every entry fits: a missing entry, a shape or dtype
    /// mismatch, or (when <paramref name="strict"/>) an entry the module does not have is a
    /// <see cref="StateDictException"/> naming the entry.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var entries = Walk("").ToList();
        var updates = new List<(Slot Slot, Tensor Value)>();
        foreach (var (name, slot) in entries)
        {
            if (!state.TryGetValue(name, out var value) || value is null)
            {
                if (slot.OptionalOnLoad) continue;
                throw new StateDictException($"state dict has no entry '{name}' (the module expects shape {Shapes.Format(slot.Value.Shape)})");
            }
            if (!value.Shape.SequenceEqual(slot.Value.Shape))
                throw new StateDictException($"'{name}' has shape {Shapes.Format(value.Shape)} in the state dict but {Shapes.Format(slot.Value.Shape)} in the module");
            if (value.DType != slot.Value.DType)
                throw new StateDictException($"'{name}' has dtype {value.DType.ShortName()} in the state dict but {slot.Value.DType.ShortName()} in the module");
            updates.Add((slot, value));
        }
        if (strict)
        {
            var known = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            var unexpected = state.Keys.Where(k => !known.Contains(k)).Order(StringComparer.Ordinal).ToList();
            if (unexpected.Count > 0)
                throw new StateDictException($"state dict has entries the module does not: {string.Join(", ", unexpected.Select(k => $"'{k}'"))}");
        }
        lock (_stateLock)
        {
            foreach (var (slot, value) in updates) slot.Value = value;
            if (updates.Count > 0) Interlocked.Increment(ref _stateVersion);
        }
    }
}

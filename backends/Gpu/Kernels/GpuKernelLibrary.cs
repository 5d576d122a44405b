using System.Collections.Frozen;
using System.Reflection;
using DyCompile.IR;
using ILGPU.Runtime;

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>The op-kernel library: every <see cref="GpuOpKernel"/> of this assembly by the ops its
/// <see cref="GpuKernelAttribute"/> names, created on first use per accelerator (creating one
/// compiles its ILGPU kernels), and every device entry point for offline emission.</summary>
public sealed class GpuKernelLibrary(Accelerator accelerator) : IDisposable
{
    private static readonly Lazy<FrozenDictionary<string, Type>> _types = new(Scan);

    private readonly Dictionary<Type, GpuOpKernel> _instances = [];
    private readonly Lock _lock = new();

    /// <summary>Catalog tensor ops without a formula that no GPU kernel implements, and why.</summary>
    public static IReadOnlyDictionary<string, string> Unsupported { get; } = new Dictionary<string, string>
    {
        ["item"] = "a host read-back of one element, which the program's host dispatcher performs",
    };

    /// <summary>The op names with a device implementation.</summary>
    public static IEnumerable<string> Ops => _types.Value.Keys.Order(StringComparer.Ordinal);

    public static bool Implements(string op) => _types.Value.ContainsKey(op);

    /// <summary>The kernel class of <paramref name="op"/>, or null.</summary>
    public static Type? KernelType(string op) => _types.Value.GetValueOrDefault(op);

    public Accelerator Accelerator { get; } = accelerator;

    /// <summary>The loaded kernel of <paramref name="op"/>; throws <see cref="NotSupportedException"/>
    /// naming the op when the library has none.</summary>
    public GpuOpKernel Get(string op)
    {
        var type = KernelType(op) ?? throw new NotSupportedException($"the GPU backend has no kernel for '{op}'");
        lock (_lock)
        {
            if (!_instances.TryGetValue(type, out var kernel))
            {
                kernel = (GpuOpKernel)Activator.CreateInstance(type, Accelerator)!;
                _instances.Add(type, kernel);
            }
            return kernel;
        }
    }

    /// <summary>Enqueues <paramref name="node"/> on <paramref name="stream"/> with its kernel.</summary>
    public void Launch(AcceleratorStream stream, Node node, IReadOnlyList<GpuOperand> operands, IReadOnlyList<DeviceTensor> results) =>
        Get(node.Op).Launch(stream, node, operands, results);

    /// <summary>Every device entry point of the library, closed over the type arguments its
    /// <see cref="DeviceKernelAttribute"/> names.</summary>
    public static IEnumerable<DeviceKernelEntry> DeviceKernels() =>
        typeof(GpuKernelLibrary).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .SelectMany(m => m.GetCustomAttributes<DeviceKernelAttribute>().Select(a => new DeviceKernelEntry(
                m.IsGenericMethodDefinition ? m.MakeGenericMethod([.. a.TypeArguments]) : m,
                a.ExplicitlyGrouped,
                a.OpenCL)))
            .OrderBy(k => k.Method.DeclaringType!.Name, StringComparer.Ordinal)
            .ThenBy(k => k.Method.ToString(), StringComparer.Ordinal);

    /// <summary>The device entry points the op kernel class <paramref name="kernel"/> launches: its
    /// own and those of the classes its <see cref="GpuKernelAttribute.Uses"/> names.</summary>
    public static IEnumerable<DeviceKernelEntry> DeviceKernelsOf(Type kernel)
    {
        var owners = new HashSet<Type> { kernel };
        if (kernel.GetCustomAttribute<GpuKernelAttribute>() is { } attribute) owners.UnionWith(attribute.Uses);
        return DeviceKernels().Where(k => owners.Contains(k.Method.DeclaringType!));
    }

    private static FrozenDictionary<string, Type> Scan()
    {
        var map = new Dictionary<string, Type>();
        foreach (var type in typeof(GpuKernelLibrary).Assembly.GetTypes())
        {
            if (type.GetCustomAttribute<GpuKernelAttribute>() is not { } attribute) continue;
            if (!typeof(GpuOpKernel).IsAssignableFrom(type) || type.GetConstructor([typeof(Accelerator)]) is null)
                throw new InvalidOperationException($"{type.Name} is marked [GpuKernel] but is not a GpuOpKernel with a public constructor taking an Accelerator");
            foreach (var op in attribute.Ops)
                if (!map.TryAdd(op, type))
                    throw new InvalidOperationException($"op '{op}' has two GPU kernels: {map[op].Name} and {type.Name}");
        }
        return map.ToFrozenDictionary();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var kernel in _instances.Values)
                (kernel as IDisposable)?.Dispose();
            _instances.Clear();
        }
    }
}

using System.Collections.Frozen;
using System.Reflection;
using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>Every <c>[OpKernel]</c> method of the runtime assembly, found by reflection once.</summary>
public static class KernelRegistry
{
    private static readonly Lazy<FrozenDictionary<string, KernelBinding>> _kernels = new(Scan);

    public static IReadOnlyDictionary<string, KernelBinding> All => _kernels.Value;

    public static bool TryGet(string op, out KernelBinding binding) => _kernels.Value.TryGetValue(op, out binding!);

    /// <summary>All kernel methods, duplicates included (the catalog test reports a duplicate).</summary>
    public static IEnumerable<(string Op, MethodInfo Method)> Methods() =>
        typeof(Tensor).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Attr: m.GetCustomAttribute<OpKernelAttribute>(), Method: m))
            .Where(p => p.Attr is not null)
            .Select(p => (p.Attr!.Op, p.Method))
            .OrderBy(p => p.Op, StringComparer.Ordinal);

    private static FrozenDictionary<string, KernelBinding> Scan()
    {
        var result = new Dictionary<string, KernelBinding>();
        foreach (var (op, method) in Methods())
            result.TryAdd(op, new KernelBinding(op, method));
        return result.ToFrozenDictionary();
    }
}

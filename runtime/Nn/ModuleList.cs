using System.Collections;
using System.Globalization;

namespace DyCompile.Runtime.Nn;

/// <summary>An ordered list of submodules named "0", "1", … in the state dict, as
/// torch.nn.ModuleList.</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = [];

    public ModuleList() { }

    public ModuleList(IEnumerable<T> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules) Add(m);
    }

    public void Add(T module) => _items.Add(RegisterModule(_items.Count.ToString(CultureInfo.InvariantCulture), module));

    public T this[int index] => _items[index];

    public int Count => _items.Count;

    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

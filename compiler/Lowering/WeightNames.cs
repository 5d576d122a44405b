using System.Text;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;

namespace DyCompile.Compiler.Lowering;

/// <summary>Names the tensors of a model instance as program weights: a registered parameter or
/// buffer by its state-dict name (<c>layers.0.weight</c>); any other tensor (a readonly field, a
/// module's zero bias) by its module's prefix and member name. Records every tensor bound.</summary>
internal sealed class WeightNames
{
    private readonly Dictionary<Tensor, string> _stateNames = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Module, string> _prefixes = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, string> _suggested = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Tensor, string> _assigned = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Tensor> _bound = new(StringComparer.Ordinal);

    public WeightNames(object? model)
    {
        if (model is not Module root) return;
        foreach (var (name, tensor) in root.SaveStateDict()) _stateNames.TryAdd(tensor, name);
        Walk(root, "");
    }

    private void Walk(Module module, string prefix)
    {
        if (!_prefixes.TryAdd(module, prefix)) return;
        foreach (var (name, child) in module.NamedChildren()) Walk(child, prefix + name + ".");
    }

    public IReadOnlyDictionary<string, Tensor> Bound => _bound;

    /// <summary>A name for a tensor reached through <paramref name="member"/> of <paramref name="owner"/>.</summary>
    public void Suggest(Tensor tensor, object owner, string member)
    {
        if (_stateNames.ContainsKey(tensor) || _suggested.ContainsKey(tensor)) return;
        var prefix = owner is Module m && _prefixes.TryGetValue(m, out var p) ? p : "";
        _suggested[tensor] = prefix + SnakeCase(member);
    }

    public string NameOf(Tensor tensor, string expression)
    {
        if (_assigned.TryGetValue(tensor, out var known)) return known;
        var name = _stateNames.GetValueOrDefault(tensor) ?? _suggested.GetValueOrDefault(tensor) ?? SnakeCase(expression);
        var unique = name;
        for (var i = 1; _bound.ContainsKey(unique); i++) unique = $"{name}.{i}";
        _assigned[tensor] = unique;
        _bound[unique] = tensor;
        return unique;
    }

    /// <summary><c>_hiddenScale</c> → <c>hidden_scale</c>, <c>this.gate.Weight</c> → <c>gate.weight</c>.</summary>
    public static string SnakeCase(string text)
    {
        var sb = new StringBuilder();
        foreach (var part in text.Replace("this.", "", StringComparison.Ordinal).Split('.'))
        {
            if (sb.Length > 0) sb.Append('.');
            var p = part.TrimStart('_');
            for (var i = 0; i < p.Length; i++)
            {
                var c = p[i];
                if (char.IsUpper(c))
                {
                    if (i > 0 && p[i - 1] != '_') sb.Append('_');
                    sb.Append(char.ToLowerInvariant(c));
                }
                else if (char.IsLetterOrDigit(c) || c == '_') sb.Append(c);
                else sb.Append('_');
            }
        }
        return sb.Length == 0 ? "w" : sb.ToString();
    }
}

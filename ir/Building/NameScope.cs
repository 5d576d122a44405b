namespace DyCompile.IR;

/// <summary>Hands out value names unique within one program: explicit names when free,
/// otherwise <c>0</c>, <c>1</c>, ... (printed <c>%0</c>, <c>%1</c>).</summary>
internal sealed class NameScope
{
    private readonly HashSet<string> _used = [];
    private int _next;

    public string Fresh(string? hint = null)
    {
        if (hint is not null)
        {
            IRNames.Require(hint, "value");
            if (!_used.Add(hint)) throw new ArgumentException($"value name %{hint} is already defined in this program");
            return hint;
        }
        while (!_used.Add(_next.ToString(System.Globalization.CultureInfo.InvariantCulture))) _next++;
        return (_next++).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Records a name without checking it is free (for deliberately malformed programs).</summary>
    public void Claim(string name) => _used.Add(name);
}

namespace DyCompile.Passes.Hashing;

/// <summary>
/// FNV-1a, 64 bit: a hash that is the same in every process and on every machine (unlike
/// <c>string.GetHashCode</c>), so hashes can key caches that outlive one run.
/// </summary>
internal struct StableHash
{
    private const ulong Prime = 1099511628211;
    private ulong _state;

    public StableHash() => _state = 14695981039346656037;

    public readonly ulong Value => _state;

    public void Add(ulong value)
    {
        for (var i = 0; i < 8; i++)
        {
            _state ^= (value >> (8 * i)) & 0xFF;
            _state *= Prime;
        }
    }

    public void Add(long value) => Add(unchecked((ulong)value));

    public void Add(int value) => Add(unchecked((ulong)(uint)value));

    public void Add(string text)
    {
        Add(text.Length);
        foreach (var c in text) Add(c);
    }

    public static ulong Of(string text)
    {
        var h = new StableHash();
        h.Add(text);
        return h.Value;
    }
}

namespace DyCompile.Passes.Hashing;

/// <summary>A graph's functional hash: equal for graphs that compute the same function (up to quantization).</summary>
public readonly record struct FunctionalHash(ulong Value)
{
    public override string ToString() => Value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}

namespace DyCompile.Backends.Gpu.Kernels;

/// <summary>Up to <see cref="MaxRank"/> ints passed to a kernel by value (shapes, strides): a
/// kernel parameter cannot be an array, and a launch must not upload anything.</summary>
public struct Dims
{
    public const int MaxRank = 8;

    public int D0, D1, D2, D3, D4, D5, D6, D7;

    public readonly int Get(int i) => i switch
    {
        0 => D0,
        1 => D1,
        2 => D2,
        3 => D3,
        4 => D4,
        5 => D5,
        6 => D6,
        _ => D7,
    };

    public static Dims From(ReadOnlySpan<int> values)
    {
        if (values.Length > MaxRank)
            throw new NotSupportedException($"the GPU kernels take tensors of rank up to {MaxRank}, got rank {values.Length}");
        var d = default(Dims);
        for (var i = 0; i < values.Length; i++) d.Set(i, values[i]);
        return d;
    }

    public static Dims From(IEnumerable<int> values) => From([.. values]);

    private void Set(int i, int value)
    {
        switch (i)
        {
            case 0: D0 = value; break;
            case 1: D1 = value; break;
            case 2: D2 = value; break;
            case 3: D3 = value; break;
            case 4: D4 = value; break;
            case 5: D5 = value; break;
            case 6: D6 = value; break;
            default: D7 = value; break;
        }
    }
}

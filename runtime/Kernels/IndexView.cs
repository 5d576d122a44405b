namespace DyCompile.Runtime;

/// <summary>Reads an i32 or i64 index operand as longs without copying it.</summary>
internal readonly struct IndexView
{
    private readonly int[]? _ints;
    private readonly long[]? _longs;

    private IndexView(int[]? ints, long[]? longs)
    {
        _ints = ints;
        _longs = longs;
    }

    public static IndexView Of(string op, Tensor index) => index.Storage switch
    {
        int[] i => new IndexView(i, null),
        long[] l => new IndexView(null, l),
        _ => throw new TensorOpException(op, $"index must be i32 or i64, got {index.DType.ShortName()} of shape {Shapes.Format(index.Shape)}"),
    };

    public long this[int i] => _ints is not null ? _ints[i] : _longs![i];

    /// <summary>Element <paramref name="i"/> checked against [0, size); the message names the
    /// index value and the size it indexes.</summary>
    public int Checked(string op, int i, int size, int dim)
    {
        var v = this[i];
        if (v < 0 || v >= size)
            throw new TensorOpException(op, $"index {v} is out of range for dimension {dim} of size {size}");
        return (int)v;
    }
}

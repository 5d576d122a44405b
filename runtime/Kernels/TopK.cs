namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>The <paramref name="k"/> largest (or smallest) elements along
    /// <paramref name="dim"/>, sorted best first, with their i64 positions. Equal values are
    /// ordered by lower position first; NaN counts as larger than every number.</summary>
    [OpKernel("topk")]
    public static (Tensor Values, Tensor Indices) TopK(Tensor x, int k, int dim, bool largest)
    {
        if (x.Rank == 0)
        {
            // PyTorch treats a scalar as a one-element vector here and keeps the scalar shape,
            // which only a result of one element can have.
            if (k != 1)
                throw new TensorOpException("topk", $"k = {k} is out of range for a 0-d tensor (only k = 1 is)");
            var (v, i) = TopK(x.WithShape([1]), k, dim is -1 ? 0 : dim, largest);
            return (v.WithShape([]), i.WithShape([]));
        }
        var d = Shapes.NormalizeAxis("topk", dim, x.Rank);
        var size = x.Shape[d];
        if (k < 0 || k > size)
            throw new TensorOpException("topk", $"k = {k} is out of range for dimension {dim} of size {size} in shape {Shapes.Format(x.Shape)}");
        var shape = x.ShapeArray();
        shape[d] = k;
        var values = Tensor.Zeros(x.DType, shape);
        var indices = Tensor.Zeros(DType.Int64, shape);
        var outer = Shapes.ElementCount(shape.AsSpan(0, d));
        var inner = Shapes.ElementCount(shape.AsSpan(d + 1));
        switch (x.Storage)
        {
            case float[] f: TopKCore(f, (float[])values.Storage, indices.Longs, outer, size, inner, k, largest, CompareFloatNaNLargest); break;
            case int[] i: TopKCore(i, (int[])values.Storage, indices.Longs, outer, size, inner, k, largest, (a, b) => a.CompareTo(b)); break;
            case long[] l: TopKCore(l, (long[])values.Storage, indices.Longs, outer, size, inner, k, largest, (a, b) => a.CompareTo(b)); break;
            default: throw new TensorOpException("topk", $"needs a numeric tensor, got {x.DType.ShortName()}");
        }
        return (values, indices);
    }

    private static int CompareFloatNaNLargest(float a, float b) =>
        float.IsNaN(a) ? (float.IsNaN(b) ? 0 : 1) : float.IsNaN(b) ? -1 : a.CompareTo(b);

    private static void TopKCore<T>(T[] source, T[] values, Span<long> indices, int outer, int size, int inner, int k, bool largest, Comparison<T> compare)
    {
        if (k == 0) return;
        var row = new T[size];
        var order = new int[size];
        // Best first; the position tie-break makes the order total, so the unstable sort is deterministic.
        Comparison<int> byRank = largest
            ? (a, b) => { var c = compare(row[b], row[a]); return c != 0 ? c : a.CompareTo(b); }
            : (a, b) => { var c = compare(row[a], row[b]); return c != 0 ? c : a.CompareTo(b); };
        for (var o = 0; o < outer; o++)
            for (var n = 0; n < inner; n++)
            {
                var baseIn = o * size * inner + n;
                for (var j = 0; j < size; j++)
                {
                    row[j] = source[baseIn + j * inner];
                    order[j] = j;
                }
                Array.Sort(order, byRank);
                var baseOut = o * k * inner + n;
                for (var j = 0; j < k; j++)
                {
                    values[baseOut + j * inner] = row[order[j]];
                    indices[baseOut + j * inner] = order[j];
                }
            }
    }
}

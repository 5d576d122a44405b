namespace DyCompile.Runtime;

/// <summary>A binary elementwise function with its span forms. The span forms let float ops
/// reach the vectorized <c>TensorPrimitives</c>; ops without one loop over <see cref="Apply(TIn, TIn)"/>
/// through <see cref="ElementwiseLoops"/>.</summary>
internal interface IBinaryFunction<TIn, TOut>
{
    static abstract TOut Apply(TIn a, TIn b);

    static abstract void Apply(ReadOnlySpan<TIn> a, ReadOnlySpan<TIn> b, Span<TOut> destination);

    static abstract void Apply(ReadOnlySpan<TIn> a, TIn b, Span<TOut> destination);

    static abstract void Apply(TIn a, ReadOnlySpan<TIn> b, Span<TOut> destination);
}

/// <summary>Drives elementwise functions over broadcast operands.</summary>
internal static class ElementwiseLoops
{
    /// <summary>Rows shorter than this are computed element by element.</summary>
    private const int ShortRow = 16;

    public static void SpanSpan<TIn, TOut, TFunction>(ReadOnlySpan<TIn> a, ReadOnlySpan<TIn> b, Span<TOut> destination)
        where TFunction : IBinaryFunction<TIn, TOut>
    {
        for (var i = 0; i < destination.Length; i++) destination[i] = TFunction.Apply(a[i], b[i]);
    }

    public static void SpanScalar<TIn, TOut, TFunction>(ReadOnlySpan<TIn> a, TIn b, Span<TOut> destination)
        where TFunction : IBinaryFunction<TIn, TOut>
    {
        for (var i = 0; i < destination.Length; i++) destination[i] = TFunction.Apply(a[i], b);
    }

    public static void ScalarSpan<TIn, TOut, TFunction>(TIn a, ReadOnlySpan<TIn> b, Span<TOut> destination)
        where TFunction : IBinaryFunction<TIn, TOut>
    {
        for (var i = 0; i < destination.Length; i++) destination[i] = TFunction.Apply(a, b[i]);
    }

    /// <summary>destination = f(a, b) with PyTorch broadcasting; <paramref name="outShape"/> is
    /// the (already validated) broadcast of the two operand shapes.</summary>
    public static void Binary<TIn, TOut, TFunction>(
        ReadOnlySpan<TIn> a, ReadOnlySpan<int> aShape,
        ReadOnlySpan<TIn> b, ReadOnlySpan<int> bShape,
        Span<TOut> destination, ReadOnlySpan<int> outShape)
        where TFunction : IBinaryFunction<TIn, TOut>
    {
        var n = destination.Length;
        if (n == 0) return;
        // Fast paths that need no cursor: equal layouts, and one operand with a single element.
        if (a.Length == n && b.Length == n)
        {
            TFunction.Apply(a, b, destination);
            return;
        }
        if (b.Length == 1 && a.Length == n)
        {
            TFunction.Apply(a, b[0], destination);
            return;
        }
        if (a.Length == 1 && b.Length == n)
        {
            TFunction.Apply(a[0], b, destination);
            return;
        }

        var rank = outShape.Length;
        Span<int> scratch = rank <= BroadcastCursor.StackRankLimit
            ? stackalloc int[BroadcastCursor.ScratchLength(BroadcastCursor.StackRankLimit)]
            : new int[BroadcastCursor.ScratchLength(rank)];
        var cursor = new BroadcastCursor(scratch, outShape, aShape, bShape, default, 2);
        var length = cursor.InnerLength;
        var (sa, sb) = (cursor.InnerStride0, cursor.InnerStride1);
        if (length < ShortRow)
        {
            // Short rows (e.g. [N, 3] + [N, 1]) cost more in per-call overhead of the span
            // primitives than in arithmetic, so loop element by element instead.
            for (int row = 0, start = 0; row < cursor.RowCount; row++, start += length)
            {
                int oa = cursor.Offset0, ob = cursor.Offset1;
                for (var i = 0; i < length; i++)
                    destination[start + i] = TFunction.Apply(a[oa + i * sa], b[ob + i * sb]);
                cursor.NextRow();
            }
            return;
        }
        for (int row = 0, start = 0; row < cursor.RowCount; row++, start += length)
        {
            var d = destination.Slice(start, length);
            if (sa == 1 && sb == 1) TFunction.Apply(a.Slice(cursor.Offset0, length), b.Slice(cursor.Offset1, length), d);
            else if (sa == 1) TFunction.Apply(a.Slice(cursor.Offset0, length), b[cursor.Offset1], d);
            else if (sb == 1) TFunction.Apply(a[cursor.Offset0], b.Slice(cursor.Offset1, length), d);
            else d.Fill(TFunction.Apply(a[cursor.Offset0], b[cursor.Offset1]));
            cursor.NextRow();
        }
    }

    /// <summary>destination = condition ? a : b with three-way broadcasting.</summary>
    public static void Select<T>(
        ReadOnlySpan<bool> condition, ReadOnlySpan<int> conditionShape,
        ReadOnlySpan<T> a, ReadOnlySpan<int> aShape,
        ReadOnlySpan<T> b, ReadOnlySpan<int> bShape,
        Span<T> destination, ReadOnlySpan<int> outShape)
    {
        if (destination.Length == 0) return;
        var rank = outShape.Length;
        Span<int> scratch = rank <= BroadcastCursor.StackRankLimit
            ? stackalloc int[BroadcastCursor.ScratchLength(BroadcastCursor.StackRankLimit)]
            : new int[BroadcastCursor.ScratchLength(rank)];
        var cursor = new BroadcastCursor(scratch, outShape, conditionShape, aShape, bShape, 3);
        var length = cursor.InnerLength;
        var (sc, sa, sb) = (cursor.InnerStride0, cursor.InnerStride1, cursor.InnerStride2);
        for (int row = 0, start = 0; row < cursor.RowCount; row++, start += length)
        {
            var d = destination.Slice(start, length);
            int oc = cursor.Offset0, oa = cursor.Offset1, ob = cursor.Offset2;
            if (sc == 1 && sa == 1 && sb == 1)
            {
                var c = condition.Slice(oc, length);
                var x = a.Slice(oa, length);
                var y = b.Slice(ob, length);
                for (var i = 0; i < d.Length; i++) d[i] = c[i] ? x[i] : y[i];
            }
            else
            {
                for (var i = 0; i < d.Length; i++) d[i] = condition[oc + i * sc] ? a[oa + i * sa] : b[ob + i * sb];
            }
            cursor.NextRow();
        }
    }
}

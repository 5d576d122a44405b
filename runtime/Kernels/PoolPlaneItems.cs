using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>The planes of a 2-D pooling cut into <paramref name="parts"/> ranges, as work items of
/// a <see cref="ConvJob{TProblem}"/>. Each plane is pooled one output row at a time: the rows of
/// the window are first reduced into one row, a whole row per vector pass (the bulk of the reads),
/// and then each output reduces its columns of that row. Max propagates NaN, as in PyTorch;
/// padding never wins a max and adds zero to an average (whose divisor the windows give).</summary>
internal readonly struct PoolPlaneItems(float[] input, float[] output, PoolWindows windows, bool average, int planes, int parts) : IConvItems
{
    [ThreadStatic] private static float[]? _row;

    public int Items => parts;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RunItem(int item)
    {
        for (var plane = (int)((long)item * planes / parts); plane < (int)((long)(item + 1) * planes / parts); plane++) Plane(plane);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Plane(int plane)
    {
        var planeIn = windows.Height * windows.Width;
        var planeOut = windows.OutHeight * windows.OutWidth;
        var src = input.AsSpan(plane * planeIn, planeIn);
        var dst = output.AsSpan(plane * planeOut, planeOut);
        var width = windows.Width;
        if (_row is null || _row.Length < width) _row = new float[Math.Max(width, 64)];
        var row = _row.AsSpan(0, width);
        for (var oy = 0; oy < windows.OutHeight; oy++)
        {
            var (y0, y1) = windows.Rows(oy);
            ReadOnlySpan<float> reduced;
            if (y1 - y0 == 1)
            {
                reduced = src.Slice(y0 * width, width);
            }
            else if (y1 <= y0)
            {
                row.Fill(average ? 0f : float.NegativeInfinity);
                reduced = row;
            }
            else
            {
                src.Slice(y0 * width, width).CopyTo(row);
                for (var y = y0 + 1; y < y1; y++)
                {
                    var next = src.Slice(y * width, width);
                    if (average) AddInto(row, next);
                    else MaxInto(row, next);
                }
                reduced = row;
            }
            var outRow = dst.Slice(oy * windows.OutWidth, windows.OutWidth);
            var done = 0;
            if (windows is { IsAdaptive: false, KernelWidth: 2, StrideW: 2, PadW: 0 })
                done = PairWindows(reduced, outRow, average, windows.Divisor(y1 - y0, 2));
            for (var ox = done; ox < outRow.Length; ox++)
            {
                var (x0, x1) = windows.Columns(ox);
                var span = reduced[x0..Math.Max(x0, x1)];
                outRow[ox] = average ? Sum(span) / windows.Divisor(y1 - y0, span.Length) : Max(span);
            }
        }
    }

    // Rows of a pooling window are short (8 to 112 floats): inline vector loops, where a library
    // call per row would cost more than the row.

    /// <summary>row += next.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddInto(Span<float> row, ReadOnlySpan<float> next)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var n = ref MemoryMarshal.GetReference(next);
            for (; i <= row.Length - Vector256<float>.Count; i += Vector256<float>.Count)
                (Vector256.LoadUnsafe(ref r, (nuint)i) + Vector256.LoadUnsafe(ref n, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
            // The rows of small planes (8×8 → 4×4) are 4 wide.
            for (; i <= row.Length - Vector128<float>.Count; i += Vector128<float>.Count)
                (Vector128.LoadUnsafe(ref r, (nuint)i) + Vector128.LoadUnsafe(ref n, (nuint)i)).StoreUnsafe(ref r, (nuint)i);
        }
        for (; i < row.Length; i++) row[i] += next[i];
    }

    /// <summary>row = max(row, next), NaN winning over any number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxInto(Span<float> row, ReadOnlySpan<float> next)
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var r = ref MemoryMarshal.GetReference(row);
            ref var n = ref MemoryMarshal.GetReference(next);
            for (; i <= row.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var a = Vector256.LoadUnsafe(ref r, (nuint)i);
                var b = Vector256.LoadUnsafe(ref n, (nuint)i);
                // a where a > b or a is NaN, else b (NaN when b is).
                var keep = Vector256.GreaterThan(a, b) | ~Vector256.Equals(a, a);
                Vector256.ConditionalSelect(keep, a, b).StoreUnsafe(ref r, (nuint)i);
            }
            for (; i <= row.Length - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var a = Vector128.LoadUnsafe(ref r, (nuint)i);
                var b = Vector128.LoadUnsafe(ref n, (nuint)i);
                var keep = Vector128.GreaterThan(a, b) | ~Vector128.Equals(a, a);
                Vector128.ConditionalSelect(keep, a, b).StoreUnsafe(ref r, (nuint)i);
            }
        }
        for (; i < row.Length; i++)
            if (!(row[i] > next[i] || float.IsNaN(row[i]))) row[i] = next[i];
    }

    /// <summary>2-wide windows at stride 2 (the 2×2 poolings): out[i] = max(row[2i], row[2i + 1]),
    /// NaN winning, or with <paramref name="average"/> (row[2i] + row[2i + 1]) / divisor, as the
    /// scalar loop divides; for as many outputs as whole vectors cover, returning how many were
    /// written. Even and odd columns are split with one shuffle and one permute per 8 outputs, where
    /// a window at a time cost more per output than the reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int PairWindows(ReadOnlySpan<float> row, Span<float> output, bool average, float divisor)
    {
        if (!Avx2.IsSupported) return 0;
        ref var r = ref MemoryMarshal.GetReference(row);
        ref var o = ref MemoryMarshal.GetReference(output);
        var i = 0;
        for (; i + Vector256<float>.Count <= output.Length && 2 * (i + Vector256<float>.Count) <= row.Length; i += Vector256<float>.Count)
        {
            var (even, odd) = Columns(ref r, 2 * i);
            Vector256<float> value;
            if (average)
            {
                value = (even + odd) / divisor;
            }
            else
            {
                // The scalar loop's order: the left column unless the right one is greater or NaN.
                var right = Vector256.GreaterThan(odd, even) | ~Vector256.Equals(odd, odd);
                value = Vector256.ConditionalSelect(right, odd, even);
            }
            value.StoreUnsafe(ref o, (nuint)i);
        }
        return i;
    }

    /// <summary>Columns at + 0, 2, …, 14 and at + 1, 3, …, 15 of a row, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float> Even, Vector256<float> Odd) Columns(ref float row, int at)
    {
        var a = Vector256.LoadUnsafe(ref row, (nuint)at);
        var b = Vector256.LoadUnsafe(ref row, (nuint)(at + Vector256<float>.Count));
        var even = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
        var odd = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
        return (even, odd);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sum(ReadOnlySpan<float> values)
    {
        if (values.Length >= 16) return TensorPrimitives.Sum(values);
        var acc = 0f;
        foreach (var v in values) acc += v;
        return acc;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Max(ReadOnlySpan<float> values)
    {
        if (values.Length >= 16) return TensorPrimitives.Max(values);
        if (Sse.IsSupported)
        {
            // Without branches: on random data "v > acc" is a coin toss, and the mispredicted
            // branches of the loop below cost more than the windows' reads (8×8 → 4×4 pooling
            // ran at ~25 ns per output). maxss(v, acc) is v > acc ? v : acc, so ties keep the
            // earlier value, as below; a NaN anywhere makes the result NaN.
            var best = Vector128.Create(float.NegativeInfinity);
            var unordered = Vector128<float>.Zero;
            foreach (var v in values)
            {
                var x = Vector128.CreateScalarUnsafe(v);
                best = Sse.MaxScalar(x, best);
                unordered = Sse.Or(unordered, Sse.CompareScalarUnordered(x, x));
            }
            return BitConverter.SingleToInt32Bits(unordered.ToScalar()) != 0 ? float.NaN : best.ToScalar();
        }
        var acc = float.NegativeInfinity;
        foreach (var v in values)
            if (v > acc || float.IsNaN(v)) acc = v;
        return acc;
    }
}

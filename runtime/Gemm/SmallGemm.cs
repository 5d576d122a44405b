using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DyCompile.Runtime;

/// <summary>Products small enough that packing and fork/join cost more than the arithmetic (a
/// linear layer on one sample or a small batch): register-blocked loops straight over the
/// row-major operands, on the calling thread, allocating nothing. Generated CPU code calls them
/// for small static products.</summary>
/// <remarks>They are compiled fully optimized on first call (no tier-0 code), so a compiled
/// model's first calls and a short run are already fast; the same code through tiered JIT runs
/// several times slower until it is promoted.</remarks>
public static class SmallGemm
{
    /// <summary>c[i, j] = bias[j] + Σ_p x[i, p] · w[j, p]: x is m × k, w is n × k (a linear
    /// layer's weight), c is m × n, all dense row-major; an empty <paramref name="bias"/> means 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Linear(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> c, int m, int n, int k)
    {
        Check(x.Length, (long)m * k, "x");
        Check(w.Length, (long)n * k, "w");
        Check(c.Length, (long)m * n, "c");
        if (!bias.IsEmpty) Check(bias.Length, n, "bias");
        ref var rx = ref MemoryMarshal.GetReference(x);
        ref var rw = ref MemoryMarshal.GetReference(w);
        var vectorK = Vector256.IsHardwareAccelerated ? k & ~7 : 0;
        for (var i = 0; i < m; i++)
        {
            ref var row = ref Unsafe.Add(ref rx, (nint)i * k);
            var j = 0;
            // Four weight rows per pass: each x vector is loaded once for four dot products.
            for (; j + 4 <= n; j += 4)
            {
                ref var w0 = ref Unsafe.Add(ref rw, (nint)j * k);
                ref var w1 = ref Unsafe.Add(ref w0, k);
                ref var w2 = ref Unsafe.Add(ref w1, k);
                ref var w3 = ref Unsafe.Add(ref w2, k);
                Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                var p = 0;
                for (; p < vectorK; p += 8)
                {
                    var xv = Vector256.LoadUnsafe(ref row, (nuint)p);
                    a0 = MultiplyAdd(xv, Vector256.LoadUnsafe(ref w0, (nuint)p), a0);
                    a1 = MultiplyAdd(xv, Vector256.LoadUnsafe(ref w1, (nuint)p), a1);
                    a2 = MultiplyAdd(xv, Vector256.LoadUnsafe(ref w2, (nuint)p), a2);
                    a3 = MultiplyAdd(xv, Vector256.LoadUnsafe(ref w3, (nuint)p), a3);
                }
                float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
                for (; p < k; p++)
                {
                    var xp = Unsafe.Add(ref row, p);
                    s0 += xp * Unsafe.Add(ref w0, p);
                    s1 += xp * Unsafe.Add(ref w1, p);
                    s2 += xp * Unsafe.Add(ref w2, p);
                    s3 += xp * Unsafe.Add(ref w3, p);
                }
                var at = i * n + j;
                if (bias.IsEmpty)
                {
                    c[at] = s0; c[at + 1] = s1; c[at + 2] = s2; c[at + 3] = s3;
                }
                else
                {
                    c[at] = bias[j] + s0; c[at + 1] = bias[j + 1] + s1; c[at + 2] = bias[j + 2] + s2; c[at + 3] = bias[j + 3] + s3;
                }
            }
            for (; j < n; j++)
            {
                ref var wj = ref Unsafe.Add(ref rw, (nint)j * k);
                Vector256<float> a0 = default;
                var p = 0;
                for (; p < vectorK; p += 8)
                    a0 = MultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)p), Vector256.LoadUnsafe(ref wj, (nuint)p), a0);
                var s = Vector256.Sum(a0);
                for (; p < k; p++) s += Unsafe.Add(ref row, p) * Unsafe.Add(ref wj, p);
                c[i * n + j] = bias.IsEmpty ? s : bias[j] + s;
            }
        }
    }

    /// <summary>c = a · b: a is m × k, b is k × n, c is m × n, all dense row-major. Each C row is
    /// accumulated in registers, 32 columns at a time, from broadcast A values times B rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k)
    {
        Check(a.Length, (long)m * k, "a");
        Check(b.Length, (long)k * n, "b");
        Check(c.Length, (long)m * n, "c");
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rc = ref MemoryMarshal.GetReference(c);
        var vectorN = Vector256.IsHardwareAccelerated ? n & ~7 : 0;
        for (var i = 0; i < m; i++)
        {
            ref var aRow = ref Unsafe.Add(ref ra, (nint)i * k);
            ref var cRow = ref Unsafe.Add(ref rc, (nint)i * n);
            var j = 0;
            for (; j + 32 <= vectorN; j += 32)
            {
                Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
                for (var p = 0; p < k; p++)
                {
                    var av = Vector256.Create(Unsafe.Add(ref aRow, p));
                    ref var bRow = ref Unsafe.Add(ref rb, (nint)p * n + j);
                    c0 = MultiplyAdd(av, Vector256.LoadUnsafe(ref bRow), c0);
                    c1 = MultiplyAdd(av, Vector256.LoadUnsafe(ref bRow, 8), c1);
                    c2 = MultiplyAdd(av, Vector256.LoadUnsafe(ref bRow, 16), c2);
                    c3 = MultiplyAdd(av, Vector256.LoadUnsafe(ref bRow, 24), c3);
                }
                c0.StoreUnsafe(ref cRow, (nuint)j);
                c1.StoreUnsafe(ref cRow, (nuint)j + 8);
                c2.StoreUnsafe(ref cRow, (nuint)j + 16);
                c3.StoreUnsafe(ref cRow, (nuint)j + 24);
            }
            for (; j < vectorN; j += 8)
            {
                Vector256<float> c0 = default;
                for (var p = 0; p < k; p++)
                    c0 = MultiplyAdd(Vector256.Create(Unsafe.Add(ref aRow, p)), Vector256.LoadUnsafe(ref rb, (nuint)((nint)p * n + j)), c0);
                c0.StoreUnsafe(ref cRow, (nuint)j);
            }
            for (; j < n; j++)
            {
                var s = 0f;
                for (var p = 0; p < k; p++) s += Unsafe.Add(ref aRow, p) * Unsafe.Add(ref rb, (nint)p * n + j);
                Unsafe.Add(ref cRow, j) = s;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    private static void Check(int length, long needed, string operand)
    {
        if (length < needed)
            throw new ArgumentException($"small GEMM operand {operand} has {length} elements, needs {needed}");
    }
}

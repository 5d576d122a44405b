using System.Runtime.InteropServices;

namespace DyCompile.Runtime;

/// <summary>A GEMM B operand (k × n) packed once, whole, into the micro-kernel's panel layout, so
/// that products with a fixed right operand — a linear layer's weight, a weight matrix — skip
/// packing B on every call. The packed form is the layout of <see cref="GemmPacking.PackB"/>
/// for every k slice of <see cref="KStep"/>: slice s (depth pc = s·KStep, kc deep) starts at
/// pc · <see cref="PaddedN"/>, its NR-wide panel q at q·NR·kc after that.</summary>
/// <remarks>Compiled code gets the packed form of a weight with <see cref="OfLinearWeight"/> or
/// <see cref="OfMatrix"/>, which keep it per weight tensor object (the host passes the same
/// weight tensors on every call) and repack it when the tensor's <see cref="Tensor.Version"/>
/// moved since it was packed (a weight changed in place and marked with <see cref="Tensor.MarkModified"/>).</remarks>
public sealed unsafe class GemmPackedB
{
    private static readonly WeightDerivedCache<GemmPackedB> _linearWeights = new();
    private static readonly WeightDerivedCache<GemmPackedB> _matrices = new();

    private readonly float* _data;

    private GemmPackedB(int k, int n)
    {
        K = k;
        N = n;
        NPanels = GemmPacking.PanelCount(n, Gemm.NR);
        PaddedN = NPanels * Gemm.NR;
        KStep = k == 0 ? 1 : GemmPacking.PanelCount(k, GemmPacking.PanelCount(k, Gemm.KC));
        _data = (float*)NativeMemory.AlignedAlloc((nuint)Math.Max(1L, (long)k * PaddedN) * sizeof(float), 64);
        // An empty operand (k = 0 or n = 0) holds one float: no pressure to report (the GC rejects 0).
        if (PressureBytes > 0) GC.AddMemoryPressure(PressureBytes);
    }

    private long PressureBytes => (long)K * PaddedN * sizeof(float);

    /// <summary>Depth of op(B).</summary>
    public int K { get; }

    /// <summary>Columns of op(B).</summary>
    public int N { get; }

    internal int NPanels { get; }

    internal int PaddedN { get; }

    /// <summary>Depth of each packed k slice (the last may be shallower).</summary>
    internal int KStep { get; }

    /// <summary>The packed panels of the slice starting at depth <paramref name="pc"/>.</summary>
    internal float* Slice(int pc) => _data + (long)pc * PaddedN;

    /// <summary>Packs op(B), k × n: B stored k × n (b[p·ldb + j]) or, with
    /// <paramref name="transB"/>, n × k (b[j·ldb + p], a linear layer's weight).</summary>
    public static GemmPackedB Pack(ReadOnlySpan<float> b, int ldb, bool transB, int k, int n)
    {
        if (k < 0 || n < 0) throw new ArgumentOutOfRangeException(nameof(k), $"negative GEMM size k={k}, n={n}");
        var rows = transB ? n : k;
        var cols = transB ? k : n;
        if (rows > 0 && cols > 0 && (ldb < cols || b.Length < (long)(rows - 1) * ldb + cols))
            throw new ArgumentException($"GEMM operand B has {b.Length} elements, too few for {rows} x {cols} with leading dimension {ldb}");
        var packed = new GemmPackedB(k, n);
        fixed (float* pb = b)
            for (var pc = 0; pc < k; pc += packed.KStep)
            {
                var kc = Math.Min(packed.KStep, k - pc);
                GemmPacking.PackB(packed.Slice(pc), pb, ldb, transB, 0, n, pc, kc, 0, packed.NPanels);
            }
        return packed;
    }

    /// <summary>The packed transpose of a linear layer's weight [out, in] (op(B) = weightᵀ,
    /// in × out), packed on first use and kept while the weight tensor lives.</summary>
    public static GemmPackedB OfLinearWeight(Tensor weight) => _linearWeights.Get(weight, PackLinearWeight);

    /// <summary>The packed form of a k × n matrix used as a right operand, packed on first use and
    /// kept while the tensor lives.</summary>
    public static GemmPackedB OfMatrix(Tensor matrix) => _matrices.Get(matrix, PackMatrix);

    private static GemmPackedB PackLinearWeight(Tensor weight)
    {
        if (weight.Rank != 2) throw new ArgumentException($"a linear weight is [out, in], got shape {Shapes.Format(weight.Shape)}");
        return Pack(weight.Floats, weight.Dim(1), transB: true, weight.Dim(1), weight.Dim(0));
    }

    private static GemmPackedB PackMatrix(Tensor matrix)
    {
        if (matrix.Rank != 2) throw new ArgumentException($"a GEMM matrix operand is [k, n], got shape {Shapes.Format(matrix.Shape)}");
        return Pack(matrix.Floats, matrix.Dim(1), transB: false, matrix.Dim(0), matrix.Dim(1));
    }

    ~GemmPackedB()
    {
        NativeMemory.AlignedFree(_data);
        if (PressureBytes > 0) GC.RemoveMemoryPressure(PressureBytes);
    }
}

using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Testing;

/// <summary>
/// Random attributes for an op of the catalog, from each attribute's name and kind and the operand
/// types: axes in range (sometimes written negative), permutations or subsets for <c>dims</c>,
/// factorizations, the operand's own shape or a broadcast of it for <c>shape</c>. Proposals may
/// still be rejected by the op's shape rule; the generator filters them.
/// </summary>
internal static class AttributeSampler
{
    public static Attrs Sample(OpDef op, IReadOnlyList<TensorType> operands, Random r, int maxDim)
    {
        var x = operands.Count > 0 ? operands[0] : new TensorType(DType.Float32, []);
        var attrs = new Attrs();
        foreach (var def in op.Attributes)
        {
            switch (def.Kind)
            {
                case AttrKind.Int: attrs.Add(def.Name, Int(def.Name, x, r, maxDim)); break;
                case AttrKind.Ints: attrs.Add(def.Name, Ints(def.Name, x, r)); break;
                case AttrKind.Float: attrs.Add(def.Name, Float(def.Name, r)); break;
                case AttrKind.Bool: attrs.Add(def.Name, r.Next(2) == 0); break;
                case AttrKind.DType: attrs.Add(def.Name, DType.Float32); break;
            }
        }
        return attrs;
    }

    private static int Int(string name, TensorType x, Random r, int maxDim) => name switch
    {
        // One past the rank too: unsqueeze inserts a dim.
        "dim" or "dim0" or "dim1" => Axis(r, x.Rank + (r.Next(4) == 0 ? 1 : 0)),
        "groups" => r.Next(3) == 0 ? r.Next(2, 4) : 1,
        "start" => r.Next(0, maxDim),
        "end" => r.Next(1, maxDim + 1),
        "step" => r.Next(4) == 0 ? 2 : 1,
        _ => r.Next(1, maxDim + 1),
    };

    private static int Axis(Random r, int rank)
    {
        if (rank == 0) return 0;
        var a = r.Next(rank);
        return r.Next(2) == 0 ? a : a - rank;
    }

    private static int[] Ints(string name, TensorType x, Random r)
    {
        var shape = x.Shape.ToArray();
        var rank = shape.Length;
        switch (name)
        {
            case "dims" when r.Next(2) == 0:
                return Enumerable.Range(0, rank).OrderBy(_ => r.Next()).Select(d => r.Next(3) == 0 ? d - rank : d).ToArray();
            case "dims":
                return Enumerable.Range(0, rank).Where(_ => r.Next(2) == 0).Select(d => r.Next(3) == 0 ? d - rank : d).ToArray();
            case "shape":
                return r.Next(3) switch
                {
                    0 => Factor(r, shape.Aggregate(1, (n, d) => n * d)),
                    1 => WithWildcard(r, shape),
                    _ => Grown(r, shape),
                };
            case "padding":
                return Enumerable.Range(0, r.Next(1, 3)).Select(_ => r.Next(0, 2)).ToArray();
            case "stride" or "dilation":
                return Enumerable.Range(0, r.Next(1, 3)).Select(_ => r.Next(3) == 0 ? 2 : 1).ToArray();
            default:
                return Enumerable.Range(0, Math.Max(1, rank)).Select(_ => r.Next(1, 4)).ToArray();
        }
    }

    private static float Float(string name, Random r) => name switch
    {
        "eps" => (float)Math.Pow(10, -r.Next(1, 6)),
        "min" => (float)(-r.NextDouble() * 4),
        "max" => (float)(r.NextDouble() * 4),
        _ => (float)(r.NextDouble() * 4 - 2),
    };

    /// <summary>The shape itself, one dim written −1 half the time.</summary>
    private static int[] WithWildcard(Random r, int[] shape)
    {
        var copy = shape.ToArray();
        if (copy.Length > 0 && r.Next(2) == 0) copy[r.Next(copy.Length)] = -1;
        return copy;
    }

    /// <summary>A broadcast target of the shape: size-1 dims grown, kept dims sometimes −1, sometimes a new leading dim.</summary>
    private static int[] Grown(Random r, int[] shape)
    {
        var target = shape.Select(d => d == 1 && r.Next(3) != 0 ? r.Next(2, 5) : r.Next(4) == 0 ? -1 : d).ToList();
        if (r.Next(4) == 0) target.Insert(0, r.Next(1, 4));
        return [.. target];
    }

    /// <summary>A random factorization of <paramref name="count"/> into up to four dims, one sometimes −1.</summary>
    private static int[] Factor(Random r, int count)
    {
        var dims = new List<int>();
        var left = count;
        while (left > 1 && dims.Count < 3)
        {
            var divisors = Enumerable.Range(2, left - 1).Where(d => left % d == 0).ToArray();
            var d = divisors[r.Next(divisors.Length)];
            dims.Add(d);
            left /= d;
        }
        if (left > 1 || dims.Count == 0 || r.Next(3) == 0) dims.Add(left);
        var shape = dims.OrderBy(_ => r.Next()).ToArray();
        if (r.Next(2) == 0) shape[r.Next(shape.Length)] = -1;
        return shape;
    }
}

using System.Collections.Immutable;
using DyCompile.Runtime;

namespace DyCompile.IR;

/// <summary>A tensor type: element dtype plus a static shape. A dimension equal to
/// <see cref="Dynamic"/> is unknown until run time (written <c>?</c>).</summary>
public sealed record TensorType : IRType
{
    /// <summary>Marks a dimension whose size is known only at run time.</summary>
    public const int Dynamic = -1;

    public TensorType(DType dtype, IEnumerable<int> shape)
    {
        DType = dtype;
        Shape = [.. shape];
        foreach (var d in Shape)
            if (d < Dynamic) throw new ArgumentException($"invalid dimension {d} in a tensor type");
    }

    public DType DType { get; }

    public ImmutableArray<int> Shape { get; }

    public int Rank => Shape.Length;

    public bool IsStatic => !Shape.Contains(Dynamic);

    /// <summary>Element count, with dynamic dimensions counted as 1 (used by cost estimates).</summary>
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * (d == Dynamic ? 1 : d));

    public long Bytes => ElementCount * DType.ElementSize();

    public TensorType WithShape(IEnumerable<int> shape) => new(DType, shape);

    public TensorType WithDType(DType dtype) => new(dtype, Shape);

    /// <summary>True when a concrete tensor of <paramref name="shape"/> and <paramref name="dtype"/>
    /// has this type (dynamic dimensions match any size).</summary>
    public bool Accepts(DType dtype, ReadOnlySpan<int> shape)
    {
        if (dtype != DType || shape.Length != Rank) return false;
        for (var i = 0; i < Rank; i++)
            if (Shape[i] != Dynamic && Shape[i] != shape[i]) return false;
        return true;
    }

    public bool Equals(TensorType? other) =>
        other is not null && DType == other.DType && Shape.SequenceEqual(other.Shape);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(DType);
        foreach (var d in Shape) h.Add(d);
        return h.ToHashCode();
    }

    public static string FormatShape(IEnumerable<int> shape) =>
        "[" + string.Join(", ", shape.Select(d => d == Dynamic ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    public override string ToString() => $"tensor<{DType.ShortName()}, {FormatShape(Shape)}>";
}

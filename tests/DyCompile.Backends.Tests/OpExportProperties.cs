using DyCompile.IR;
using DyCompile.Runtime;
using FsCheck.Xunit;

namespace DyCompile.Backends.Tests;

/// <summary>Axis-taking ops over random shapes and random (also negative) axes: the exported ONNX
/// node agrees with the kernel, so axis and keepdim conventions line up everywhere.</summary>
public class OpExportProperties
{
    private static readonly Dictionary<string, Tensor> _noWeights = [];

    private static int[] Shape(Random r) => [.. Enumerable.Range(0, r.Next(1, 5)).Select(_ => r.Next(1, 5))];

    private static (IRProgram, IReadOnlyList<object>) Single(string op, Attrs attrs, params Tensor[] operands)
    {
        var pb = new ProgramBuilder("prop");
        var inputs = operands.Select((t, i) => pb.Input($"x{i}", new TensorType(t.DType, t.ShapeArray()))).ToArray();
        pb.Entry.Return([.. pb.Entry.Ops(op, inputs, attrs)]);
        return (pb.Build(), operands);
    }

    [Property(MaxTest = 40)]
    public void ReductionsAgree(int seed)
    {
        var r = new Random(seed);
        var shape = Shape(r);
        var dims = Enumerable.Range(0, shape.Length).Where(_ => r.Next(2) == 0).Select(d => r.Next(2) == 0 ? d : d - shape.Length).ToArray();
        var op = new[] { "sum", "mean", "max", "min" }[r.Next(4)];
        var (program, inputs) = Single(op, new Attrs { { "dims", dims }, { "keepdim", r.Next(2) == 0 } }, new Gen(seed).Normal(shape));
        Agreement.Check(program, _noWeights, inputs);
    }

    [Property(MaxTest = 40)]
    public void AxisOpsAgree(int seed)
    {
        var r = new Random(seed);
        var shape = Shape(r);
        var rank = shape.Length;
        var g = new Gen(seed);
        int Axis() => r.Next(-rank, rank);
        var (program, inputs) = r.Next(7) switch
        {
            0 => Single("softmax", new Attrs { { "dim", Axis() } }, g.Normal(shape)),
            1 => Single("log_softmax", new Attrs { { "dim", Axis() } }, g.Normal(shape)),
            2 => Single("argmax", new Attrs { { "dim", Axis() }, { "keepdim", r.Next(2) == 0 } }, g.Normal(shape)),
            3 => Single("transpose", new Attrs { { "dim0", Axis() }, { "dim1", Axis() } }, g.Normal(shape)),
            4 => Single("permute", new Attrs { { "dims", Enumerable.Range(0, rank).OrderBy(_ => r.Next()).ToArray() } }, g.Normal(shape)),
            5 => Single("unsqueeze", new Attrs { { "dim", r.Next(-rank - 1, rank + 1) } }, g.Normal(shape)),
            _ => TopK(r, g, shape),
        };
        Agreement.Check(program, _noWeights, inputs);
    }

    private static (IRProgram, IReadOnlyList<object>) TopK(Random r, Gen g, int[] shape)
    {
        var dim = r.Next(-shape.Length, shape.Length);
        var size = shape[dim < 0 ? dim + shape.Length : dim];
        return Single("topk", new Attrs { { "k", r.Next(0, size + 1) }, { "dim", dim }, { "largest", r.Next(2) == 0 } }, g.Normal(shape));
    }

    [Property(MaxTest = 30)]
    public void ConcatAndSplitAgree(int seed)
    {
        var r = new Random(seed);
        var shape = Shape(r);
        var dim = r.Next(-shape.Length, shape.Length);
        var axis = dim < 0 ? dim + shape.Length : dim;
        var g = new Gen(seed);
        var parts = Enumerable.Range(0, r.Next(1, 4)).Select(_ =>
        {
            var s = (int[])shape.Clone();
            s[axis] = r.Next(1, 4);
            return g.Normal(s);
        }).ToArray();
        var (program, inputs) = r.Next(2) == 0
            ? Single("concat", new Attrs { { "dim", dim } }, parts)
            : Single("split", new Attrs { { "sizes", parts.Select(p => p.Dim(axis)).ToArray() }, { "dim", dim } },
                TensorOps.Concat(parts, axis));
        Agreement.Check(program, _noWeights, inputs);
    }
}

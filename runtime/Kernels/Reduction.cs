using Fn = DyCompile.Runtime.ReductionFunctions;

namespace DyCompile.Runtime;

/// <summary>Reductions over a set of dims (empty = all; negative dims count from the end).
/// sum of integer or bool tensors is i64 (as in PyTorch); an empty reduction gives sum 0 and
/// mean NaN, while max and min reject it.</summary>
public static partial class TensorOps
{
    [OpKernel("sum")]
    public static Tensor Sum(Tensor x, int[] dims, bool keepdim)
    {
        const string op = "sum";
        var reduced = OperandChecks.ReducedMask(op, x.Rank, dims);
        var (shape, _) = Fn.ResultShape(x.Shape, reduced, keepdim);
        switch (x.DType)
        {
            case DType.Float32:
                {
                    var result = Tensor.Zeros(DType.Float32, shape);
                    Fn.Run<float, Fn.Sum<float>>(x.Floats, x.Shape, reduced, result.Floats);
                    return result;
                }
            case DType.Int64:
                {
                    var result = Tensor.Zeros(DType.Int64, shape);
                    Fn.Run<long, Fn.Sum<long>>(x.Longs, x.Shape, reduced, result.Longs);
                    return result;
                }
            case DType.Int32:
            case DType.Bool:
                return Sum(Cast(x, DType.Int64), dims, keepdim);
            default:
                throw OperandChecks.UnsupportedDType(op, x.DType, "f32, i32, i64, bool");
        }
    }

    [OpKernel("mean")]
    public static Tensor Mean(Tensor x, int[] dims, bool keepdim)
    {
        const string op = "mean";
        OperandChecks.RequireFloat(op, x);
        var reduced = OperandChecks.ReducedMask(op, x.Rank, dims);
        var (shape, count) = Fn.ResultShape(x.Shape, reduced, keepdim);
        var result = Tensor.Zeros(DType.Float32, shape);
        var d = result.Floats;
        Fn.Run<float, Fn.Sum<float>>(x.Floats, x.Shape, reduced, d);
        // 0/0 = NaN is exactly the mean of an empty reduction.
        System.Numerics.Tensors.TensorPrimitives.Divide(d, (float)count, d);
        return result;
    }

    /// <summary>Maximum over dims (torch.amax); NaN propagates.</summary>
    [OpKernel("max")]
    public static Tensor Max(Tensor x, int[] dims, bool keepdim) =>
        Fn.Extremum<Fn.Max<float>, Fn.Max<int>, Fn.Max<long>>("max", x, dims, keepdim);

    /// <summary>Minimum over dims (torch.amin); NaN propagates.</summary>
    [OpKernel("min")]
    public static Tensor Min(Tensor x, int[] dims, bool keepdim) =>
        Fn.Extremum<Fn.Min<float>, Fn.Min<int>, Fn.Min<long>>("min", x, dims, keepdim);
}

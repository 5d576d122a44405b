using System.Numerics.Tensors;
using Fn = DyCompile.Runtime.ReductionFunctions;

namespace DyCompile.Runtime;

/// <summary>Reductions over a set of dims (empty = all; negative dims count from the end).
/// sum of integer or bool tensors is i64 (as in PyTorch); an empty reduction gives sum 0 and
/// mean NaN, while max and min reject it. The <c>...Into</c> forms write a caller-owned
/// destination of the result's shape and dtype.</summary>
public static partial class TensorOps
{
    [OpKernel("sum")]
    public static Tensor Sum(Tensor x, int[] dims, bool keepdim)
    {
        var plan = Fn.Plan("sum", x, dims, keepdim);
        var result = Tensor.Zeros(Fn.SumDType("sum", x.DType), plan.Shape);
        SumInto(x, dims, keepdim, result);
        return result;
    }

    public static void SumInto(Tensor x, int[] dims, bool keepdim, Tensor destination)
    {
        const string op = "sum";
        var plan = Fn.Plan(op, x, dims, keepdim);
        OperandChecks.Destination(op, destination, Fn.SumDType(op, x.DType), plan.Shape);
        switch (x.DType)
        {
            case DType.Float32:
                Fn.Run<float, Fn.Sum<float>>(x.Floats, x.Shape, plan.Reduced, destination.Floats);
                break;
            case DType.Int64:
                Fn.Run<long, Fn.Sum<long>>(x.Longs, x.Shape, plan.Reduced, destination.Longs);
                break;
            default:
                // i32 and bool accumulate in i64, as PyTorch does, so sums do not wrap.
                Fn.Run<long, Fn.Sum<long>>(Cast(x, DType.Int64).Longs, x.Shape, plan.Reduced, destination.Longs);
                break;
        }
    }

    [OpKernel("mean")]
    public static Tensor Mean(Tensor x, int[] dims, bool keepdim)
    {
        OperandChecks.RequireFloat("mean", x);
        var result = Tensor.Zeros(DType.Float32, Fn.Plan("mean", x, dims, keepdim).Shape);
        MeanInto(x, dims, keepdim, result);
        return result;
    }

    public static void MeanInto(Tensor x, int[] dims, bool keepdim, Tensor destination)
    {
        const string op = "mean";
        OperandChecks.RequireFloat(op, x);
        var plan = Fn.Plan(op, x, dims, keepdim);
        OperandChecks.Destination(op, destination, DType.Float32, plan.Shape);
        var d = destination.Floats;
        Fn.Run<float, Fn.Sum<float>>(x.Floats, x.Shape, plan.Reduced, d);
        // 0/0 = NaN is exactly the mean of an empty reduction.
        TensorPrimitives.Divide(d, (float)plan.Count, d);
    }

    /// <summary>Maximum over dims (torch.amax); NaN propagates.</summary>
    [OpKernel("max")]
    public static Tensor Max(Tensor x, int[] dims, bool keepdim)
    {
        var result = Tensor.Zeros(x.DType, Fn.Plan("max", x, dims, keepdim).Shape);
        MaxInto(x, dims, keepdim, result);
        return result;
    }

    public static void MaxInto(Tensor x, int[] dims, bool keepdim, Tensor destination) =>
        Fn.Extremum<Fn.Max<float>, Fn.Max<int>, Fn.Max<long>>("max", x, dims, keepdim, destination);

    /// <summary>Minimum over dims (torch.amin); NaN propagates.</summary>
    [OpKernel("min")]
    public static Tensor Min(Tensor x, int[] dims, bool keepdim)
    {
        var result = Tensor.Zeros(x.DType, Fn.Plan("min", x, dims, keepdim).Shape);
        MinInto(x, dims, keepdim, result);
        return result;
    }

    public static void MinInto(Tensor x, int[] dims, bool keepdim, Tensor destination) =>
        Fn.Extremum<Fn.Min<float>, Fn.Min<int>, Fn.Min<long>>("min", x, dims, keepdim, destination);
}

namespace DyCompile.Runtime;

/// <summary><c>where</c>: picks from <c>a</c> where the bool condition holds, else from
/// <c>b</c>, broadcasting all three operands.</summary>
public static partial class TensorOps
{
    [OpKernel("where")]
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        var dtype = OperandChecks.SameDType("where", a, b);
        var result = Tensor.Zeros(dtype, WhereShape(condition, a, b));
        WhereInto(condition, a, b, result);
        return result;
    }

    public static void WhereInto(Tensor condition, Tensor a, Tensor b, Tensor destination)
    {
        const string op = "where";
        if (condition.DType != DType.Bool)
            throw new TensorOpException(op, $"condition must be bool, got {condition.DType.ShortName()} of shape {Shapes.Format(condition.Shape)}");
        var dtype = OperandChecks.SameDType(op, a, b);
        var shape = WhereShape(condition, a, b);
        OperandChecks.Destination(op, destination, dtype, shape);
        switch (dtype)
        {
            case DType.Float32:
                ElementwiseLoops.Select(condition.Bools, condition.Shape, a.Floats, a.Shape, b.Floats, b.Shape, destination.Floats, shape);
                break;
            case DType.Int32:
                ElementwiseLoops.Select(condition.Bools, condition.Shape, a.Ints, a.Shape, b.Ints, b.Shape, destination.Ints, shape);
                break;
            case DType.Int64:
                ElementwiseLoops.Select(condition.Bools, condition.Shape, a.Longs, a.Shape, b.Longs, b.Shape, destination.Longs, shape);
                break;
            case DType.Bool:
                ElementwiseLoops.Select(condition.Bools, condition.Shape, a.Bools, a.Shape, b.Bools, b.Shape, destination.Bools, shape);
                break;
            default:
                throw OperandChecks.UnsupportedDType(op, dtype, "f32, i32, i64, bool");
        }
    }

    internal static int[] WhereShape(Tensor condition, Tensor a, Tensor b)
    {
        var values = Shapes.Broadcast("where", a.Shape, b.Shape);
        return Shapes.Broadcast("where", condition.Shape, values);
    }
}

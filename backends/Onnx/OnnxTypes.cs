using DyCompile.IR;
using DyCompile.Runtime;
using Google.Protobuf;
using DyCompile.Backends.Onnx.Proto;

namespace DyCompile.Backends.Onnx;

/// <summary>IR types as ONNX types. A host scalar becomes a 0-d tensor (int → INT32, float → FLOAT,
/// bool → BOOL); a dynamic dimension becomes a named symbolic dimension.</summary>
internal static class OnnxTypes
{
    public static TensorProto.Types.DataType ElementType(DType dtype) => dtype switch
    {
        DType.Float32 => TensorProto.Types.DataType.Float,
        DType.Int32 => TensorProto.Types.DataType.Int32,
        DType.Int64 => TensorProto.Types.DataType.Int64,
        DType.Bool => TensorProto.Types.DataType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    /// <summary>The runtime dtype that holds a value of <paramref name="type"/>.</summary>
    public static DType DTypeOf(IRType type) => type switch
    {
        TensorType t => t.DType,
        ScalarType { Kind: ScalarKind.Int } => DType.Int32,
        ScalarType { Kind: ScalarKind.Float } => DType.Float32,
        _ => DType.Bool,
    };

    public static IReadOnlyList<int> ShapeOf(IRType type) => type is TensorType t ? t.Shape : [];

    /// <summary>A value description with the element type and, when <paramref name="withShape"/>,
    /// the shape. Subgraph interfaces omit shapes: If branches and loop iterations may differ in them.</summary>
    public static ValueInfoProto ValueInfo(string name, IRType type, bool withShape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)ElementType(DTypeOf(type)) };
        if (withShape)
        {
            var shape = new TensorShapeProto();
            var i = 0;
            foreach (var d in ShapeOf(type))
            {
                shape.Dim.Add(d == TensorType.Dynamic
                    ? new TensorShapeProto.Types.Dimension { DimParam = $"{name}_d{i}" }
                    : new TensorShapeProto.Types.Dimension { DimValue = d });
                i++;
            }
            tensor.Shape = shape;
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    public static TensorProto FromTensor(string name, Tensor tensor)
    {
        var proto = new TensorProto { Name = name, DataType = (int)ElementType(tensor.DType), RawData = ByteString.CopyFrom(tensor.AsBytes()) };
        foreach (var d in tensor.Shape) proto.Dims.Add(d);
        return proto;
    }

    public static TensorProto Int64s(string name, IReadOnlyList<long> values, bool scalar = false)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        if (!scalar) proto.Dims.Add(values.Count);
        proto.Int64Data.AddRange(values);
        return proto;
    }

    /// <summary>A tensor of <paramref name="type"/> holding <paramref name="values"/> (row-major;
    /// doubles hold every f32, i32 and bool exactly).</summary>
    public static TensorProto Literal(string name, IRType type, IReadOnlyList<double> values)
    {
        var dtype = DTypeOf(type);
        var shape = ShapeOf(type).ToArray();
        Tensor tensor = dtype switch
        {
            DType.Float32 => Tensor.FromArray(values.Select(v => (float)v).ToArray(), shape),
            DType.Int32 => Tensor.FromArray(values.Select(v => (int)v).ToArray(), shape),
            DType.Int64 => Tensor.FromArray(values.Select(v => (long)v).ToArray(), shape),
            _ => Tensor.FromArray(values.Select(v => v != 0).ToArray(), shape),
        };
        return FromTensor(name, tensor);
    }
}

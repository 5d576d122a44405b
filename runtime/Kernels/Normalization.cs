using System.Numerics.Tensors;

namespace DyCompile.Runtime;

public static partial class TensorOps
{
    /// <summary>Inference-mode batch normalization over channel dim 1:
    /// y = (x − mean) / √(var + eps) · weight + bias, folded into one scale and shift per channel.</summary>
    [OpKernel("batch_norm")]
    public static Tensor BatchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, float eps)
    {
        const string op = "batch_norm";
        DenseArgs.RequireFloat(op, input, "input");
        if (input.Rank < 2)
            throw new TensorOpException(op, $"input needs a channel dimension, got shape {Shapes.Format(input.Shape)}");
        var channels = input.Dim(1);
        foreach (var (t, name) in new[] { (runningMean, "runningMean"), (runningVar, "runningVar"), (weight, "weight"), (bias, "bias") })
        {
            DenseArgs.RequireFloat(op, t, name);
            if (t.Rank != 1 || t.Dim(0) != channels)
                throw TensorOpException.ShapeMismatch(op, input.Shape, t.Shape, $"{name} must be [{channels}]");
        }

        var scale = new float[channels];
        var shift = new float[channels];
        var mean = runningMean.Floats;
        var variance = runningVar.Floats;
        var w = weight.Floats;
        var b = bias.Floats;
        for (var c = 0; c < channels; c++)
        {
            scale[c] = w[c] / MathF.Sqrt(variance[c] + eps);
            shift[c] = b[c] - mean[c] * scale[c];
        }

        var result = Tensor.Zeros(input.ShapeArray());
        if (result.Length == 0) return result;
        var inner = result.Length / (input.Dim(0) * channels);
        var src = input.Floats;
        var dst = result.Floats;
        for (var plane = 0; plane < input.Dim(0) * channels; plane++)
        {
            var c = plane % channels;
            var y = dst.Slice(plane * inner, inner);
            TensorPrimitives.Multiply(src.Slice(plane * inner, inner), scale[c], y);
            TensorPrimitives.Add(y, shift[c], y);
        }
        return result;
    }

    /// <summary>Layer normalization over the last weight.Rank dims (which must equal weight's
    /// shape; bias has the same shape): y = (x − mean) / √(var + eps) · weight + bias with the
    /// biased variance.</summary>
    [OpKernel("layer_norm")]
    public static Tensor LayerNorm(Tensor input, Tensor weight, Tensor bias, float eps)
    {
        const string op = "layer_norm";
        DenseArgs.RequireFloat(op, input, "input");
        DenseArgs.RequireFloat(op, weight, "weight");
        DenseArgs.RequireFloat(op, bias, "bias");
        if (weight.Rank == 0 || weight.Rank > input.Rank || !input.Shape[^weight.Rank..].SequenceEqual(weight.Shape))
            throw TensorOpException.ShapeMismatch(op, input.Shape, weight.Shape, "the trailing dims of the input must equal the weight shape");
        if (!bias.Shape.SequenceEqual(weight.Shape))
            throw TensorOpException.ShapeMismatch(op, bias.Shape, weight.Shape, "bias and weight shapes differ");

        var result = Tensor.Zeros(input.ShapeArray());
        var size = weight.Length;
        if (result.Length == 0 || size == 0) return result;
        var rows = input.Length / size;
        var inArray = (float[])input.Storage;
        var outArray = (float[])result.Storage;
        var wArray = (float[])weight.Storage;
        var bArray = (float[])bias.Storage;

        void Row(int r)
        {
            var x = inArray.AsSpan(r * size, size);
            var y = outArray.AsSpan(r * size, size);
            // Two passes (mean, then squared deviations) keep the variance accurate when the
            // mean is large compared to the spread.
            var mean = TensorPrimitives.Sum(x) / size;
            TensorPrimitives.Subtract(x, mean, y);
            var variance = TensorPrimitives.SumOfSquares(y) / size;
            TensorPrimitives.Multiply(y, 1f / MathF.Sqrt(variance + eps), y);
            TensorPrimitives.MultiplyAdd(y, wArray, bArray, y);
        }

        RunDensePlanes(rows, 4L * size, Row);
        return result;
    }
}

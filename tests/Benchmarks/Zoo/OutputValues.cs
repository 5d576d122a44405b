using System.Collections;
using System.Runtime.CompilerServices;
using DyCompile.Runtime;
using Microsoft.ML.OnnxRuntime;
using TensorElementType = Microsoft.ML.OnnxRuntime.Tensors.TensorElementType;

namespace DyCompile.Benchmarks.Zoo;

/// <summary>One result of a forward pass reduced to numbers, copied out of the engine that made it
/// (compiled results are overwritten by the next run). Float tensors are compared within a
/// tolerance; everything else — exit indices, block masks, token ids — decides or records the path
/// and must be equal.</summary>
internal sealed record OutputValue(double[] Values, bool Exact);

internal static class OutputValues
{
    /// <summary>Relative tolerance of float outputs, against the larger of 1 and the reference's largest magnitude:
    /// the engines sum in different orders, and deep stacks of convolutions amplify rounding.</summary>
    public const double Tolerance = 1e-3;

    /// <summary>The C# forward's result: a tensor, a host scalar, or a tuple of them (arrays and lists flattened into one exact value).</summary>
    public static List<OutputValue> FromEager(object? result)
    {
        var values = new List<OutputValue>();
        Flatten(result, values);
        return values;
    }

    public static List<OutputValue> FromCompiled(object[] outputs)
    {
        var values = new List<OutputValue>();
        foreach (var o in outputs) Flatten(o, values);
        return values;
    }

    public static List<OutputValue> FromOrt(IReadOnlyList<OrtValue> outputs) => outputs.Select(FromOrt).ToList();

    private static OutputValue FromOrt(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        return info.ElementDataType switch
        {
            TensorElementType.Float => new OutputValue(Widen(value.GetTensorDataAsSpan<float>()), false),
            TensorElementType.Int32 => new OutputValue(Widen(value.GetTensorDataAsSpan<int>()), true),
            TensorElementType.Int64 => new OutputValue(Widen(value.GetTensorDataAsSpan<long>()), true),
            TensorElementType.Bool => new OutputValue(Widen(value.GetTensorDataAsSpan<bool>()), true),
            var other => throw new NotSupportedException($"ONNX Runtime output of element type {other}"),
        };
    }

    private static void Flatten(object? value, List<OutputValue> into)
    {
        switch (value)
        {
            case null:
                return;
            case Tensor t:
                into.Add(t.DType switch
                {
                    DType.Float32 => new OutputValue(Widen<float>(t.Floats), false),
                    DType.Int32 => new OutputValue(Widen<int>(t.Ints), true),
                    DType.Int64 => new OutputValue(Widen<long>(t.Longs), true),
                    DType.Bool => new OutputValue(Widen<bool>(t.Bools), true),
                    _ => throw new NotSupportedException($"tensor of {t.DType}"),
                });
                return;
            case float f:
                into.Add(new OutputValue([f], false));
                return;
            case ITuple tuple:
                for (var i = 0; i < tuple.Length; i++) Flatten(tuple[i], into);
                return;
            case IEnumerable sequence:
                var numbers = new List<double>();
                FlattenNumbers(sequence, numbers);
                into.Add(new OutputValue([.. numbers], true));
                return;
            default:
                into.Add(new OutputValue([Number(value)], true));
                return;
        }
    }

    private static void FlattenNumbers(IEnumerable sequence, List<double> into)
    {
        foreach (var item in sequence)
        {
            if (item is IEnumerable inner) FlattenNumbers(inner, into);
            else into.Add(Number(item!));
        }
    }

    private static double Number(object value) => value switch
    {
        bool b => b ? 1 : 0,
        IConvertible c => c.ToDouble(null),
        _ => throw new NotSupportedException($"output of type {value.GetType().Name}"),
    };

    private static double[] Widen<T>(ReadOnlySpan<T> span) where T : unmanaged
    {
        var result = new double[span.Length];
        for (var i = 0; i < span.Length; i++) result[i] = span[i] switch
        {
            float f => f,
            int n => n,
            long n => n,
            bool b => b ? 1 : 0,
            _ => double.NaN,
        };
        return result;
    }

    private static double[] Widen<T>(Span<T> span) where T : unmanaged => Widen((ReadOnlySpan<T>)span);

    /// <summary>How <paramref name="actual"/> differs from the eager <paramref name="expected"/>:
    /// null when it agrees; <paramref name="pathDiffers"/> when an exact (path) value differs.
    /// <paramref name="error"/> is the largest float difference relative to the reference's scale.</summary>
    public static string? Compare(IReadOnlyList<OutputValue> expected, IReadOnlyList<OutputValue> actual, out bool pathDiffers, out double error)
    {
        pathDiffers = false;
        error = 0;
        if (expected.Count != actual.Count)
        {
            pathDiffers = true;
            return $"{actual.Count} outputs, eager has {expected.Count}";
        }
        string? problem = null;
        for (var k = 0; k < expected.Count; k++)
        {
            var (e, a) = (expected[k].Values, actual[k].Values);
            if (e.Length != a.Length)
            {
                pathDiffers = true;
                problem ??= $"output {k} has {a.Length} values, eager {e.Length}";
                continue;
            }
            if (expected[k].Exact)
            {
                if (!e.AsSpan().SequenceEqual(a))
                {
                    pathDiffers = true;
                    problem ??= $"output {k} (path) differs";
                }
                continue;
            }
            var scale = 1.0;
            foreach (var v in e) scale = Math.Max(scale, Math.Abs(v));
            var worst = 0.0;
            for (var i = 0; i < e.Length; i++)
            {
                var d = Math.Abs(e[i] - a[i]);
                worst = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(worst, d);
            }
            error = Math.Max(error, worst / scale);
            if (worst > Tolerance * scale) problem ??= $"output {k} differs by {worst / scale:E1} of its scale";
        }
        return problem;
    }
}

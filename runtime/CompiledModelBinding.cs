namespace DyCompile.Runtime;

/// <summary>What the code the <c>dycompile</c> build step generates calls to bind a compiled model
/// to an instance and to check a call's inputs; part of the small ABI between generated code and
/// the runtime (see <see cref="CompiledModels"/>). The messages name the model's own terms.</summary>
public static class CompiledModelBinding
{
    /// <summary>The instance's parameter or buffer <paramref name="name"/>, checked against the
    /// dtype and shape the model was compiled with.</summary>
    /// <exception cref="ArgumentException">The instance has no such entry, or it differs.</exception>
    public static Tensor StateEntry(IReadOnlyDictionary<string, Tensor> state, string name, DType dtype, int[] shape)
    {
        if (!state.TryGetValue(name, out var tensor))
            throw new ArgumentException($"the model instance has no parameter or buffer '{name}', which it was compiled with; bind an instance of the same structure");
        if (tensor.DType != dtype || !tensor.Shape.SequenceEqual(shape))
            throw new ArgumentException($"'{name}' is {tensor.DType.ShortName()}{Shapes.Format(tensor.Shape)} in this instance but {dtype.ShortName()}{Shapes.Format(shape)} when the model was compiled; bind an instance of the same structure");
        return tensor;
    }

    /// <summary>A tensor the model read at build time that is not a parameter or buffer (a
    /// readonly field), embedded in the generated code as its raw little-endian bytes in base 64.</summary>
    public static Tensor Constant(DType dtype, int[] shape, string base64) =>
        Tensor.FromBytes(dtype, shape, Convert.FromBase64String(base64));

    /// <summary>Checks a tensor argument against the compiled input type (-1: any size).</summary>
    /// <exception cref="ArgumentException">It has another dtype, rank or static size.</exception>
    public static void CheckInput(Tensor value, string parameter, DType dtype, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        var fits = value.DType == dtype && value.Shape.Length == shape.Length;
        for (var i = 0; fits && i < shape.Length; i++) fits = shape[i] < 0 || shape[i] == value.Shape[i];
        if (!fits)
            throw new ArgumentException($"'{parameter}' must be {dtype.ShortName()}[{string.Join(",", shape.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}], got {value.DType.ShortName()}{Shapes.Format(value.Shape)}", parameter);
    }
}

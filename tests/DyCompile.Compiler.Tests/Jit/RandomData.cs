using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests.Jit;

/// <summary>Seeded random tensors for program inputs and weights.</summary>
internal static class RandomData
{
    public static Tensor Tensor(Random rng, TensorType type, float scale = 1f)
    {
        var shape = type.Shape.Select(d => d == TensorType.Dynamic ? 3 : d).ToArray();
        var count = shape.Aggregate(1, (a, d) => a * d);
        return type.DType switch
        {
            DType.Float32 => Runtime.Tensor.FromArray(Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray(), shape),
            DType.Int32 => Runtime.Tensor.FromArray(Enumerable.Range(0, count).Select(_ => rng.Next(-5, 6)).ToArray(), shape),
            DType.Int64 => Runtime.Tensor.FromArray(Enumerable.Range(0, count).Select(_ => (long)rng.Next(-5, 6)).ToArray(), shape),
            _ => Runtime.Tensor.FromArray(Enumerable.Range(0, count).Select(_ => rng.Next(2) == 0).ToArray(), shape),
        };
    }

    public static Dictionary<string, Tensor> Weights(IRProgram program, int seed)
    {
        var rng = new Random(seed);
        return program.Weights.ToDictionary(w => w.Name, w => Tensor(rng, (TensorType)w.Type, 0.6f));
    }

    /// <summary>Inputs for a program: tensors in [-s, s], ints in [0, 6), floats in [-1, 1].</summary>
    public static object[] Inputs(IRProgram program, Random rng, float scale = 1f) =>
        [.. program.Inputs.Select(i => i.Type switch
        {
            TensorType t => (object)Tensor(rng, t, scale),
            ScalarType { Kind: ScalarKind.Int } => rng.Next(0, 6),
            ScalarType { Kind: ScalarKind.Float } => (float)(rng.NextDouble() * 2 - 1),
            _ => rng.Next(2) == 0,
        })];
}

using DyCompile.IR;
using DyCompile.Runtime;

namespace DyCompile.Passes.Hashing;

/// <summary>
/// Hashes a graph by what it computes (DESIGN decision 6): its outputs on seeded random inputs
/// derived from its input types (<see cref="InputSampler"/>, <see cref="SampleSet.Primary"/>),
/// evaluated by the reference <see cref="Interpreter"/>, quantized, then hashed with a stable hash.
/// <para>
/// Quantization: each float output element is rounded to <see cref="MantissaBits"/> bits of
/// mantissa (relative precision 2^−10 by default), and elements smaller than 2^−<see cref="MantissaBits"/>
/// times the largest finite magnitude of their output are flushed to zero. So rounding noise —
/// a different summation order, a folded batch-norm — does not change the hash, and neither does a
/// cancellation that leaves ±1e−9 where 0 was expected. NaN and ±Inf hash as themselves; ints and
/// bools exactly. Known limits: an element whose exact value lies within noise of a rounding
/// boundary can still land on either side, so equal functions split now and then (a cache miss,
/// never a wrong reuse); functions that differ by less than the quantum, or only off the sampled
/// inputs, hash equal — which is why a hit is only a candidate until confirmed (<see cref="FunctionalCache{T}"/>).
/// A graph the interpreter cannot run on the sample (e.g. an index out of range) throws.
/// </para>
/// </summary>
public sealed class FunctionalHasher(int seed = 0x5EED, int mantissaBits = 10)
{
    public int Seed { get; } = seed;

    public int MantissaBits { get; } = mantissaBits is >= 1 and <= 23 ? mantissaBits : throw new ArgumentOutOfRangeException(nameof(mantissaBits));

    /// <summary>The outputs of <paramref name="graph"/> on one sampled input set.</summary>
    public IReadOnlyList<object> Evaluate(Graph graph, SampleSet set, IReadOnlyDictionary<string, Tensor>? weights = null) =>
        new Interpreter().Run(graph, InputSampler.Inputs(graph, Seed, set), InputSampler.Weights(graph, Seed, set, weights));

    public FunctionalHash Hash(Graph graph, IReadOnlyDictionary<string, Tensor>? weights = null) =>
        HashOutputs(Evaluate(graph, SampleSet.Primary, weights));

    /// <summary>The hash of a list of outputs (tensors and host scalars).</summary>
    public FunctionalHash HashOutputs(IReadOnlyList<object> outputs)
    {
        var h = new StableHash();
        h.Add(outputs.Count);
        foreach (var output in outputs)
        {
            switch (output)
            {
                case Tensor t:
                    h.Add((int)t.DType);
                    h.Add(t.Rank);
                    foreach (var d in t.Shape) h.Add(d);
                    if (t.DType == DType.Float32)
                    {
                        var scale = MaxFinite(t.Floats);
                        foreach (var v in t.Floats) h.Add(Quantize(v, scale));
                    }
                    else
                    {
                        for (var i = 0; i < t.Length; i++) h.Add((long)t.GetAsDouble(i));
                    }
                    break;
                case float f:
                    h.Add(-1);
                    h.Add(Quantize(f, Math.Abs(f)));
                    break;
                case int i:
                    h.Add(-2);
                    h.Add(i);
                    break;
                case bool b:
                    h.Add(-3);
                    h.Add(b ? 1 : 0);
                    break;
                default:
                    throw new ArgumentException($"cannot hash an output of type {output.GetType().Name}");
            }
        }
        return new FunctionalHash(h.Value);
    }

    private static float MaxFinite(ReadOnlySpan<float> values)
    {
        var max = 0f;
        foreach (var v in values)
            if (float.IsFinite(v)) max = Math.Max(max, Math.Abs(v));
        return max;
    }

    /// <summary>The quantized code of one element (see the class summary).</summary>
    public long Quantize(float value, float scale)
    {
        if (float.IsNaN(value)) return long.MinValue;
        if (float.IsInfinity(value)) return value > 0 ? long.MaxValue : long.MaxValue - 1;
        if (Math.Abs(value) <= scale * MathF.Pow(2, -MantissaBits)) return 0;
        var bits = BitConverter.SingleToUInt32Bits(value);
        var drop = 23 - MantissaBits;
        // Round the magnitude (exponent and mantissa together, so a carry bumps the exponent) to the nearest kept step.
        var magnitude = ((bits & 0x7FFF_FFFFu) + (1u << (drop - 1))) >> drop;
        return (bits >> 31) == 1 ? -(long)magnitude : magnitude;
    }
}
